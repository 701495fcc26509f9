import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../orchestrator/api.js';
import { firewallSnapshot, labObjects, sh, testContext, topologyAs } from '../support/docker.js';

// The NAT lab for real: kernel NAT in gateway containers, the directory, the relay and the
// peers' calls over the shipped topology (topologies/nat-relay.yaml), plus coturn's
// turnutils_uclient allocating on our relay.
const LAB = 'nat-it';
const ctx = testContext();

interface Row { metric: string; value: number; detail?: string }
async function call(from: string, callee: string, strategy: string, count = 100): Promise<Record<string, Row>> {
  const r = await api.exec(LAB, from, ['node', '/opt/emunet/agent.mjs', 'workload', 'p2p-call', JSON.stringify({ callee, strategy, count })], ctx);
  if (r.exitCode !== 0) throw new Error(`p2p-call ${from} -> ${callee}: ${r.stderr}`);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Row);
  return Object.fromEntries(rows.filter((x) => x.metric !== 'p2p_attempt_time').map((x) => [x.metric, x]));
}
/** A control request to a node's agent daemon (e.g. relay-stats). */
async function control(node: string, op: string): Promise<Record<string, unknown>> {
  const script = `require('net').connect('/run/emunet/agent.sock').on('connect',function(){this.write(JSON.stringify({op:'${op}'})+'\\n')}).on('data',d=>process.stdout.write(d))`;
  const reply = JSON.parse(await sh(LAB, node, `node -e "${script}"`)) as { ok: boolean; result: Record<string, unknown> };
  return reply.result;
}
/** Exit 0 when a TCP connection to host:port opens within 2 s. */
const tcpConnect = (node: string, host: string, port: number) =>
  api.exec(LAB, node, ['node', '-e', `require('net').connect(${port},'${host}').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1));setTimeout(()=>process.exit(2),2000)`], ctx);
const addressOf = async (node: string) => (await sh(LAB, node, `getent hosts ${node}`)).split(/\s+/)[0]!;

beforeAll(async () => {
  await api.destroy(LAB, ctx);
  await api.deploy(await topologyAs('topologies/nat-relay.yaml', LAB), ctx);
}, 240_000);
afterAll(async () => {
  await api.destroy(LAB, ctx);
  expect(await labObjects(LAB)).toBe(0);
  // The gateways' rules lived in their containers; the host keeps no rule of this lab.
  expect(await firewallSnapshot()).not.toContain(LAB);
}, 120_000);

describe('NAT gateways', () => {
  it('let inside hosts out, translated to the public address, and keep outside hosts from initiating in', async () => {
    const alice = await addressOf('alice');
    expect((await tcpConnect('alice', 'gus', 7)).exitCode).toBe(0);
    expect((await tcpConnect('gus', alice, 7)).exitCode).not.toBe(0);
    expect((await tcpConnect('gus', 'bob', 7)).exitCode).not.toBe(0);
    // The directory saw alice at her NAT's public address; the gateway's conntrack shows the translation.
    const publicA = (await sh(LAB, 'cone-a', 'getent hosts cone-a.isp-a')).split(/\s+/)[0]!;
    const users = (await control('directory', 'directory-status')).users as { user: string; address: string }[];
    expect(users.find((u) => u.user === 'alice')?.address).toBe(`${publicA}:5000`);
    expect(await sh(LAB, 'cone-a', 'conntrack -L -p tcp 2>/dev/null')).toMatch(new RegExp(`src=${alice.replace(/\./g, '\\.')} .*dport=7 .*dst=${publicA.replace(/\./g, '\\.')}`));
    // Symmetric gateways give the directory a random port, not the peer's own.
    expect(users.find((u) => u.user === 'carol')?.address).not.toMatch(/:5000$/);
  }, 60_000);
});

describe('calls between peers behind NATs', () => {
  it('hole punching connects two cone NATs and two restricted NATs, and fails between two symmetric NATs', async () => {
    expect((await call('alice', 'dave', 'hole-punch')).p2p_path?.value).toBe(2);
    expect((await call('bob', 'erin', 'hole-punch')).p2p_path?.value).toBe(2);
    const sym = await call('carol', 'frank', 'hole-punch', 10);
    expect(sym.p2p_path?.value).toBe(0);
    expect(sym.p2p_rtt).toBeUndefined();
  }, 120_000);

  it('auto goes direct to a full cone, punches to a restricted NAT, and falls back to the relay between symmetric NATs', async () => {
    expect((await call('alice', 'dave', 'auto')).p2p_path?.detail).toMatch(/^path=direct .*attempts=direct:ok/);
    expect((await call('alice', 'erin', 'auto')).p2p_path?.detail).toMatch(/attempts=direct:failed:\d+,hole-punch:ok/);
    const relayed = await call('carol', 'frank', 'auto');
    expect(relayed.p2p_path?.detail).toMatch(/attempts=direct:failed:\d+,hole-punch:failed:\d+,relay:ok/);
    expect(relayed.p2p_path?.value).toBe(3);
    expect(relayed.p2p_loss!.value).toBeLessThan(10);
  }, 120_000);

  it('the relay carries the whole stream, and costs the detour to it in RTT', async () => {
    await control('relay', 'relay-flush');
    const punched = await call('alice', 'dave', 'hole-punch', 150);
    const relayed = await call('alice', 'dave', 'relay', 150);
    expect(relayed.p2p_path?.value).toBe(3);
    expect(relayed.p2p_loss!.value).toBeLessThan(10);
    // Every ping went out through the relay and every pong came back through it, TURN framing included.
    expect(relayed.p2p_relay_bytes!.value).toBeGreaterThan(2 * 150 * 172 * 0.9);
    const stats = (await control('relay', 'relay-stats')).counters as Record<string, number>;
    expect(stats.packetsToPeers).toBeGreaterThanOrEqual(150 * 0.9);
    expect(stats.packetsFromPeers).toBeGreaterThanOrEqual(150 * 0.9);
    // Topology: peer-to-peer 34 ms; via the relay 84 ms (the far network, 10 ms each way, crossed twice per direction).
    // p50s, not means: a busy 2-core machine puts outliers in the means.
    const p50 = (row: Row | undefined) => Number(/p50=([\d.]+)/.exec(row?.detail ?? '')?.[1]);
    expect(p50(relayed.p2p_rtt) - p50(punched.p2p_rtt)).toBeGreaterThan(25);
    expect(p50(punched.p2p_rtt)).toBeGreaterThan(34 * 0.95);
  }, 120_000);
});

describe('interoperability', () => {
  it("coturn's turnutils_uclient allocates on our relay and gets its packets echoed back through it (Send indications and channels)", async () => {
    await control('relay', 'relay-flush');
    for (const mode of ['-s', '']) {
      const out = await sh(LAB, 'bob', `timeout 30 turnutils_uclient ${mode} -c -n 20 -e gus -r 7 relay 2>&1`);
      expect(out).toMatch(/Total lost packets (\d+)/);
      expect(Number(/Total lost packets (\d+)/.exec(out)![1])).toBeLessThan(5);
      expect(out).not.toMatch(/error \d{3}/);
    }
    const stats = await control('relay', 'relay-stats');
    expect((stats.counters as Record<string, number>).allocations).toBeGreaterThanOrEqual(2);
    // A plain STUN client gets its reflexive address from the directory.
    expect(await sh(LAB, 'bob', 'timeout 10 turnutils_stunclient directory 2>&1')).toMatch(/UDP reflexive addr: [\d.]+:\d+/);
  }, 120_000);
});
