import { record, log } from '../common/records.js';
import { expandNodes, readHosts, resolveTarget } from '../dht/hosts.js';
import { CONTROL_PORT } from '../p2p/config.js';
import { callJsonControl } from '../p2p/control-http.js';
import type { NodeStatus } from '../p2p/node.js';
import { boolArg, numberArg, stringArg, type Workload } from './workload.js';

// p2p-distribute: one distribution of the server's file to the first `n` of `peers`, timed from
// the instant they are all told to start until the last is done (the lecture's distribution
// time). mode client-server: each fetches the whole file from the server over TCP; mode p2p: the
// server seeds, the peers swarm through the tracker. Every node is reset first, so runs on one
// lab do not share state. Args: mode, server, peers (list or p1..p30), n (default all), tracker
// (reset too), timeout (ms, 600000), keep (leave the swarm running afterwards: false), seed.
// Records (times in s from the start): distribution_time; per peer completion_time; in p2p runs
// per peer and neighbour bt_bytes_down (detail from=) and bt_bytes_up (to=), each unchoke it
// gave (bt_unchoke, detail to= optimistic=), bt_unchokes (count) and every verified piece's
// arrival (bt_piece_arrival, detail piece= from=).

const POLL_MS = 250;

export const p2pDistribute: Workload = {
  name: 'p2p-distribute',
  async run(args) {
    const mode = stringArg(args, 'mode');
    if (mode !== 'client-server' && mode !== 'p2p') throw new Error(`argument "mode" must be client-server or p2p, found ${JSON.stringify(mode)}`);
    const all = expandNodes(args.peers, 'peers');
    const n = numberArg(args, 'n', all.length);
    if (!Number.isInteger(n) || n < 1 || n > all.length) throw new Error(`argument "n" must be a whole number from 1 to ${all.length} (the peers listed), found ${JSON.stringify(args.n)}`);
    const server = stringArg(args, 'server');
    const tracker = typeof args.tracker === 'string' ? args.tracker : undefined;
    const timeoutMs = numberArg(args, 'timeout', 600_000);
    const seed = numberArg(args, 'seed', 1);
    const hosts = readHosts();
    const call = (node: string, request: Record<string, unknown>) => callJsonControl(resolveTarget(node, hosts, CONTROL_PORT).host, CONTROL_PORT, request) as Promise<NodeStatus>;
    const peers = all.slice(0, n);
    const everyone = [server, ...all, ...(tracker ? [tracker] : [])];
    await Promise.all(everyone.map((node) => call(node, { op: 'reset' })));
    if (mode === 'p2p') await call(server, { op: 'start', mode, seed });
    log(`p2p-distribute: ${mode} to ${n} peers (${peers[0]}…${peers[n - 1]})`);
    const t0 = Date.now();
    await Promise.all(peers.map((node) => call(node, { op: 'start', mode, seed })));
    const statuses = await waitDone(peers, call, t0, timeoutMs);
    const seconds = (at: number) => (at - t0) / 1000;
    const last = Math.max(...[...statuses.values()].map((s) => s.completedAt!));
    log(`p2p-distribute: ${mode} n=${n} done in ${seconds(last).toFixed(2)} s`);
    record('distribution_time', round(seconds(last)), 's', { detail: `mode=${mode} n=${n}` });
    for (const [node, s] of statuses) record('completion_time', round(seconds(s.completedAt!)), 's', { peer: node, detail: `mode=${mode}` });
    if (mode === 'p2p') {
      statuses.set(server, await call(server, { op: 'status' }));
      for (const [node, s] of statuses) recordSwarm(node, s, seconds);
    }
    if (!boolArg(args, 'keep', false)) await Promise.all(everyone.map((node) => call(node, { op: 'reset' })));
  },
};

type Progress = NodeStatus & { have?: number; pieces?: number };

async function waitDone(peers: string[], call: (node: string, r: Record<string, unknown>) => Promise<Progress>, t0: number, timeoutMs: number): Promise<Map<string, NodeStatus>> {
  const done = new Map<string, Progress>();
  let latest = new Map<string, Progress>();
  while (done.size < peers.length) {
    const waiting = peers.filter((p) => !done.has(p));
    latest = new Map(await Promise.all(waiting.map(async (p) => [p, await call(p, { op: 'progress' })] as const)));
    for (const [p, s] of latest) {
      if (s.error) throw new Error(`${p}: ${s.error}`);
      if (s.done) done.set(p, s);
    }
    if (done.size === peers.length) break;
    if (Date.now() - t0 > timeoutMs) {
      const progress = [...latest].map(([p, s]) => `${p} ${s.pieces ? `${s.have}/${s.pieces} pieces` : 'downloading'}`).join(', ');
      throw new Error(`not every peer was done after ${timeoutMs} ms: ${progress}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  // The done peers' last status is read again at the end, so their records include what they
  // uploaded after completing (altruistic peers keep seeding until the last is done).
  return new Map(await Promise.all(peers.map(async (p) => [p, await call(p, { op: 'status' })] as const)));
}

function recordSwarm(node: string, s: NodeStatus, seconds: (at: number) => number): void {
  const swarm = s.swarm;
  if (!swarm) return;
  for (const [other, b] of Object.entries(swarm.neighbours)) {
    if (b.down > 0) record('bt_bytes_down', b.down, 'bytes', { peer: node, detail: `from=${other}` });
    if (b.up > 0) record('bt_bytes_up', b.up, 'bytes', { peer: node, detail: `to=${other}` });
  }
  swarm.unchokeLog.forEach((u, i) => record('bt_unchoke', round(seconds(u.at)), 's', { peer: node, seq: i + 1, detail: `to=${u.to} optimistic=${u.optimistic ? 1 : 0}` }));
  record('bt_duplicate_bytes', swarm.duplicateBytes, 'bytes', { peer: node });
  record('bt_unchokes', swarm.unchokeLog.length, 'count', { peer: node, detail: `optimistic=${swarm.unchokeLog.filter((u) => u.optimistic).length}` });
  swarm.pieceLog.forEach((p, i) => record('bt_piece_arrival', round(seconds(p.at)), 's', { peer: node, seq: i + 1, detail: `piece=${p.index} from=${p.from}` }));
}

const round = (x: number) => Math.round(x * 1000) / 1000;
