// `npm run bench:impairment`: how exact is the userspace delay, how much load does it take, and
// what does it cost? One lab (hosts a and b on one network), delays changed live. Every impaired
// figure sits next to a reference measured in the same run: the RTT with no impairment (taken
// right before each impaired measurement, so drift cancels) and the unloaded 20 ms RTT.
import * as api from '../api.js';
import { defaultJsonPath, runBench, table } from './harness.js';
import { LABEL } from '../deploy/labels.js';
import { DEFAULT_LIMIT_PACKETS } from '../impairment/delayer.js';
import { parseTopology } from '../topology/load.js';

const LAB = 'bench-impair';
const NETWORK = 'lan';
// `delay: 0ms` makes the lab carry the impairment machinery (so it can be changed live) while
// holding nothing: with a zero delay no delayer runs and no packet is queued (the baseline).
const TOPOLOGY = `name: ${LAB}\nnetworks:\n  ${NETWORK}: { delay: 0ms }\nnodes:\n  a: { role: host, networks: [${NETWORK}] }\n  b: { role: host, networks: [${NETWORK}] }\n`;
const DELAYS_MS = [1, 2, 5, 10, 20, 50, 100, 200];
const LOAD_DELAY_MS = 20;
const RATES = [1000, 2000, 5000, 10000, 20000, 50000];
const BLAST_SECONDS = 4;
const PING_LAG_MS = 1000; // the concurrent ping starts this long after the blast is launched (agent start-up), ends before it stops
const LOAD_PINGS = 250;
/** ping sizes its send buffer for one packet, and held packets stay charged to it: see render(). */
const PING_SNDBUF = ['-S', String(1 << 20)];

interface Ping { rtts: number[]; avg: number; sent: number; received: number }
interface DelayResult { delayMs: number; pingBase: Ping; ping: Ping; pingBigBuf: Ping; probeBase: number[]; probeIdleBase: number[]; probe: number[] }
/** One container's counters: CPU ticks per process, UDP socket errors (/proc/net/snmp), packets handed to NFQUEUE, the delayers' own statistics. */
interface NodeRead { hz: number; rcvbufErrors: number; sndbufErrors: number; queued: number; limitDrops: number; maxHeld: number; procs: Map<string, { comm: string; ticks: number }> }
type NodeDelta = Omit<NodeRead, 'hz' | 'procs'> & { delayerS: number; nodeS: number };
interface LoadResult { rate: number; ping: Ping; blast?: Record<string, number>; a: NodeDelta; b: NodeDelta; windowS: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
const median = (v: number[]) => quantile(v, 0.5);

async function run(ctx: api.Context, node: string, argv: string[]): Promise<string> {
  const r = await api.exec(LAB, node, argv, ctx);
  // ping exits 1 when some replies are missing: what it received still counts.
  if (r.exitCode !== 0 && !(argv[0] === 'ping' && r.exitCode === 1)) throw new Error(`${node}: ${argv.join(' ')} exited ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
  return r.stdout;
}

/** iputils ping a -> b. `time=` has 3 significant digits (1 ms steps from 100 ms), the summary's avg has microseconds. */
async function ping(ctx: api.Context, count: number, extra: string[] = []): Promise<Ping> {
  const out = await run(ctx, 'a', ['ping', '-n', '-c', String(count), '-i', '0.01', '-W', '1', ...extra, 'b']);
  const totals = /(\d+) packets transmitted, (\d+) received/.exec(out);
  const avg = Number(/= [\d.]+\/([\d.]+)\//.exec(out)?.[1] ?? NaN);
  return { rtts: [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1])), avg, sent: Number(totals?.[1] ?? count), received: Number(totals?.[2] ?? 0) };
}

/** Agent JSON records of one workload run on a, as metric -> values. */
async function workload(ctx: api.Context, name: string, args: object): Promise<Map<string, number[]>> {
  const records = new Map<string, number[]>();
  for (const line of (await run(ctx, 'a', ['node', '/opt/emunet/agent.mjs', 'workload', name, JSON.stringify(args)])).split('\n')) {
    const r = line.startsWith('{') ? (JSON.parse(line) as { type: string; metric: string; value: number }) : undefined;
    if (r?.type === 'record') records.set(r.metric, [...(records.get(r.metric) ?? []), r.value]);
  }
  return records;
}

/** What a Node.js application sees: stop-and-wait UDP echoes, fewer at long delays to stay in time. */
async function probe(ctx: api.Context, delayMs: number, intervalMs = 0): Promise<number[]> {
  const count = Math.min(200, Math.max(20, Math.round(8000 / (2 * Math.max(delayMs, 1)))));
  return (await workload(ctx, 'probe', { target: 'b', count, interval: intervalMs, tcp: false })).get('udp_rtt') ?? [];
}

const setDelay = (ctx: api.Context, ms: number) => api.impair(LAB, { network: NETWORK }, ms === 0 ? { reset: true } : { set: { delayUs: ms * 1000 } }, ctx);

async function readNode(ctx: api.Context, node: string): Promise<NodeRead> {
  const script = [
    'getconf CLK_TCK', "grep '^Udp:' /proc/net/snmp | tail -1", "iptables -t mangle -nvxL | awk '/NFQUEUE/ { s += $1 } END { print s + 0 }'",
    'pkill -USR1 -x emunet-nfdelay', // each delayer prints its cumulative statistics, which its agent logs
    'for d in /proc/[0-9]*; do case "$(cat $d/comm 2>/dev/null)" in emunet-nfdelay|node) cat $d/stat 2>/dev/null;; esac; done',
  ].join('; ');
  const [hz, udp, queued, ...stats] = (await run(ctx, node, ['sh', '-c', script])).trim().split('\n');
  const udpFields = udp!.split(/\s+/); // Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors ...
  const procs = new Map<string, { comm: string; ticks: number }>();
  for (const m of stats.map((l) => /^(\d+) \(([^)]*)\) (.*)$/.exec(l))) {
    const fields = m?.[3]!.split(' '); // from field 3 on, so utime and stime (fields 14, 15) are [11], [12]
    if (m && fields) procs.set(m[1]!, { comm: m[2]!, ticks: Number(fields[11]) + Number(fields[12]) });
  }
  await sleep(200); // for the statistics to reach the container's log
  const [container] = await ctx.runtime.listContainers({ [LABEL.lab]: LAB, [LABEL.node]: node });
  const latest = new Map<number, { dropped_limit: number; max_held: number }>(); // per queue: its last statistics line
  for (const m of (await ctx.runtime.logs(container!.id, 40)).matchAll(/\{"event":"stats".*?\}/g)) latest.set((JSON.parse(m[0]) as { queue: number }).queue, JSON.parse(m[0]));
  const queues = [...latest.values()], limitDrops = queues.reduce((n, q) => n + q.dropped_limit, 0), maxHeld = Math.max(0, ...queues.map((q) => q.max_held));
  return { hz: Number(hz) || 100, rcvbufErrors: Number(udpFields[5]), sndbufErrors: Number(udpFields[6]), queued: Number(queued), limitDrops, maxHeld, procs };
}

/** CPU seconds between two reads of processes present in both (the blast's own process is gone by the second). */
function delta(before: NodeRead, after: NodeRead): NodeDelta {
  const cpu = (comm: string) => [...after.procs].reduce((s, [pid, p]) => s + (p.comm === comm && before.procs.has(pid) ? p.ticks - before.procs.get(pid)!.ticks : 0), 0) / after.hz;
  return { delayerS: cpu('emunet-nfdelay'), nodeS: cpu('node'), queued: after.queued - before.queued, limitDrops: after.limitDrops - before.limitDrops, maxHeld: after.maxHeld, rcvbufErrors: after.rcvbufErrors - before.rcvbufErrors, sndbufErrors: after.sndbufErrors - before.sndbufErrors };
}

async function rttSweep(ctx: api.Context, log: (l: string) => void, signal: AbortSignal): Promise<DelayResult[]> {
  const results: DelayResult[] = [];
  for (const delayMs of DELAYS_MS) {
    signal.throwIfAborted();
    await setDelay(ctx, 0);
    // Two probe baselines: back to back, and idle ~2d between probes as the impaired probe is while it waits.
    const base = { pingBase: await ping(ctx, 200), probeBase: await probe(ctx, 0), probeIdleBase: await probe(ctx, delayMs, 2 * delayMs) };
    await setDelay(ctx, delayMs);
    const r: DelayResult = { delayMs, ...base, ping: await ping(ctx, 200), pingBigBuf: await ping(ctx, 200, PING_SNDBUF), probe: await probe(ctx, delayMs) };
    results.push(r);
    log(`d=${delayMs} ms: ping avg ${r.ping.avg} (-S: ${r.pingBigBuf.avg}, base ${r.pingBase.avg}), probe p50 ${median(r.probe)} (base ${median(r.probeBase)}, idle base ${median(r.probeIdleBase)})`);
  }
  await setDelay(ctx, 0);
  return results;
}

/** One load level at LOAD_DELAY_MS: blast a -> b (rate 0: ping only) with ping alongside, counters read before and after. */
async function loadLevel(ctx: api.Context, rate: number): Promise<LoadResult> {
  const before = { a: await readNode(ctx, 'a'), b: await readNode(ctx, 'b') };
  let blast: Record<string, number> | undefined;
  let pinged: Ping;
  if (rate === 0) pinged = await ping(ctx, LOAD_PINGS);
  else {
    const blasting = workload(ctx, 'blast', { target: 'b', rate, seconds: BLAST_SECONDS, size: 100 });
    blasting.catch(() => {}); // awaited below; an early failure must not go unhandled meanwhile
    await sleep(PING_LAG_MS);
    pinged = await ping(ctx, LOAD_PINGS);
    blast = Object.fromEntries([...(await blasting)].map(([k, v]) => [k, v[0]!]));
  }
  const after = { a: await readNode(ctx, 'a'), b: await readNode(ctx, 'b') };
  // Rates and CPU % are taken over the time the load ran (the blast's sending time; rate 0: the ping's).
  const windowS = blast ? blast.blast_sent! / blast.blast_rate! : LOAD_PINGS / 100;
  return { rate, ping: pinged, blast, a: delta(before.a, after.a), b: delta(before.b, after.b), windowS };
}

async function loadSweep(ctx: api.Context, log: (l: string) => void, signal: AbortSignal): Promise<{ levels: LoadResult[]; stopped?: string }> {
  await setDelay(ctx, LOAD_DELAY_MS);
  const levels = [await loadLevel(ctx, 0)];
  for (const rate of RATES) {
    signal.throwIfAborted();
    const level = await loadLevel(ctx, rate);
    levels.push(level);
    const error = median(level.ping.rtts) - median(levels[0]!.ping.rtts);
    const achieved = level.blast?.blast_rate ?? 0;
    log(`rate ${rate}/s: achieved ${achieved.toFixed(0)}/s, ping p50 ${median(level.ping.rtts)} ms (${error >= 0 ? '+' : ''}${error.toFixed(3)}), echoes ${level.blast?.blast_received}/${level.blast?.blast_sent}`);
    if (!(error <= 5)) return { levels, stopped: `stopped after ${rate}/s: median error ${error.toFixed(1)} ms > 5 ms` };
    if (achieved < 0.9 * rate) return { levels, stopped: `stopped after ${rate}/s: the generator reached only ${achieved.toFixed(0)}/s` };
  }
  return { levels };
}

const f = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const signed = (v: number) => (v >= 0 ? '+' : '') + f(v);
const lost = (p: Ping) => `${p.sent - p.received}/${p.sent}`;

function render(rtt: DelayResult[], load: { levels: LoadResult[]; stopped?: string }): string {
  const icmpRows = rtt.map((r) => [String(r.delayMs), String(2 * r.delayMs), f(median(r.pingBase.rtts)), f(median(r.ping.rtts)), f(quantile(r.ping.rtts, 0.99)), signed(median(r.ping.rtts) - 2 * r.delayMs - median(r.pingBase.rtts)),
    signed(r.ping.avg - 2 * r.delayMs - r.pingBase.avg), lost(r.ping), f(quantile(r.pingBigBuf.rtts, 0.99)), signed(r.pingBigBuf.avg - 2 * r.delayMs - r.pingBase.avg), lost(r.pingBigBuf)]);
  const probeRows = rtt.map((r) => [String(r.delayMs), String(2 * r.delayMs), String(r.probe.length), f(median(r.probeBase)), f(median(r.probeIdleBase)), f(median(r.probe)), f(quantile(r.probe, 0.99)),
    signed(median(r.probe) - 2 * r.delayMs - median(r.probeBase)), signed(median(r.probe) - 2 * r.delayMs - median(r.probeIdleBase))]);
  const unloaded = median(load.levels[0]!.ping.rtts);
  const errorOf = (l: LoadResult) => median(l.ping.rtts) - unloaded;
  const loaded = load.levels.slice(1);
  // Sustained: the median error stays within 1 ms, the generator keeps up, and the delayers
  // drop nothing for want of room (beyond that, the figure would hide lost packets).
  const firstBad = loaded.findIndex((l) => !(errorOf(l) <= 1) || l.blast!.blast_rate! < 0.9 * l.rate || l.a.limitDrops + l.b.limitDrops > 0);
  const best = (firstBad === -1 ? loaded : loaded.slice(0, firstBad)).at(-1);
  const lossy = best && load.levels.slice(1, load.levels.indexOf(best) + 1).find((l) => l.ping.received < l.ping.sent);
  const offered = (l: LoadResult) => (l.rate === 0 ? '0 (ping only)' : String(l.rate));
  const loadRows = load.levels.map((l) => [offered(l), l.blast ? f(l.blast.blast_rate!, 0) : '-', f(median(l.ping.rtts)), f(quantile(l.ping.rtts, 0.99)), l.rate === 0 ? '(reference)' : signed(errorOf(l)), lost(l.ping),
    `${l.a.limitDrops}/${l.b.limitDrops}`, l.blast ? f(l.b.queued / l.windowS, 0) : '-', l.blast ? `${l.blast.blast_lost}/${l.blast.blast_sent}` : '-', String(l.b.rcvbufErrors), String(l.b.sndbufErrors), f(l.blast?.blast_rtt_p50 ?? NaN, 1)]);
  const pct = (s: number, l: LoadResult) => (100 * s) / l.windowS;
  const per1k = (s: number, packets: number) => (packets > 0 ? (1e5 * s) / packets : NaN); // CPU % per 1000 packets/s = 1e5 x CPU s per packet
  const cpuRows = load.levels.map((l) => {
    const blastS = (l.blast?.blast_cpu ?? NaN) / 1000;
    return [offered(l), f(l.a.queued / l.windowS, 0), f(pct(l.a.delayerS, l), 1), f(per1k(l.a.delayerS, l.a.queued), 2), f(l.b.queued / l.windowS, 0), f(pct(l.b.delayerS, l), 1), f(per1k(l.b.delayerS, l.b.queued), 2),
      f(pct(blastS, l), 1), f(per1k(blastS, l.blast?.blast_sent ?? 0), 2), f(pct(l.b.nodeS, l), 1), f(per1k(l.b.nodeS, l.b.queued), 2)];
  });
  return [
    `1a. ICMP RTT a -> b vs one-way delay d on both members (ms; base = no impairment, measured just before; err = RTT - 2d - base)`,
    table([['d', '2d', 'base p50', 'p50', 'p99', 'err p50', 'err mean', 'lost', '-S 1MiB: p99', 'err mean', 'lost'], ...icmpRows]),
    `\`ping -n -c 200 -i 0.01\` (kernel receive timestamps). p50/p99 come from time= (3 significant digits: 0.1 ms steps at 10-100 ms, 1 ms above), err mean from the summary's avg (us). Each RTT is held twice (a's egress, b's egress): per-hold overhead ~ err / 2.`,
    `-S 1MiB: the same with a 1 MiB send buffer. ping sizes its send buffer for one packet (the kernel's minimum holds a few) and a packet held in the NFQUEUE stays charged to it, so with a few in flight each send blocks until a held one leaves and the wait lands in the RTT (netem orphans what it holds).`,
    '',
    `1b. UDP RTT seen by a Node.js application (agent probe workload, stop-and-wait, n samples), same delays`,
    table([['d', '2d', 'n', 'base p50', 'idle base p50', 'p50', 'p99', 'err vs base', 'err vs idle base'], ...probeRows]),
    `base: probes back to back; idle base: ~2d idle between probes (as when waiting on the delay). Node processes woken after idling pay extra on this VM, impairment or not: err vs idle base is what the delayer adds.`,
    '',
    `2. Highest sustained packet rate at d = ${LOAD_DELAY_MS} ms: blast a -> b (UDP, 100 B, ${BLAST_SECONDS} s); b echoes every datagram, so the load runs in BOTH directions (up to what b's echo server sends back: b out pkt/s)`,
    table([['offered pkt/s', 'achieved', 'ping p50', 'ping p99', 'added err p50', 'ping lost', 'limit drops a/b', 'b out pkt/s', 'echoes lost', 'b rcvbuf drops', 'b sndbuf full', 'echo rtt p50'], ...loadRows]),
    `added err = ping p50 - the ping-only p50 (${f(unloaded)} ms), same run, ping -i 0.01 alongside. limit drops: packets the delayers in a / b dropped for holding their limit already (${DEFAULT_LIMIT_PACKETS}, netem's default; max held in a: ${Math.max(...load.levels.map((l) => l.a.maxHeld))}). echoes lost: no echo within 0.5 s of the end (late or dropped); b rcvbuf drops / sndbuf full: UDP RcvbufErrors / SndbufErrors (EAGAIN, retried by Node) in b.${load.stopped ? ` ${load.stopped}.` : ''}`,
    best ? `sustains ${best.rate} pkt/s (achieved ${best.blast!.blast_rate!.toFixed(0)}) with <= 1 ms added error and no packet dropped for the delayers' limit` : 'sustains no tested rate with <= 1 ms added error',
    ...(lossy ? [`  (but ping already lost packets at ${lossy.rate} pkt/s)`] : []),
    '',
    `3. CPU (% of one core over the blast's sending time; %/1k = % per 1000 pkt/s, from CPU seconds per packet)`,
    table([['offered pkt/s', 'a delayed pkt/s', 'a delayers %', 'a %/1k', 'b delayed pkt/s', 'b delayers %', 'b %/1k', 'blast gen %', 'blast %/1k', 'b echo %', 'echo %/1k'], ...cpuRows]),
    `delayers: utime+stime of every emunet-nfdelay process (/proc) per container; delayed pkt/s from the NFQUEUE rules' counters (a: blast + ping requests, b: echoes + ping replies). blast gen: its process.cpuUsage() (sending + receiving echoes). b echo: b's agent daemon.`,
  ].join('\n');
}

function jsonOutOption(argv: string[]): string | undefined {
  if (argv.length === 0) return undefined;
  if (argv[0] !== '--json-out' || argv.length > 2) throw new Error(`unknown option ${argv.join(' ')} (known: --json-out [file])`);
  return argv[1] ?? defaultJsonPath('impairment');
}

runBench({
  name: 'impairment',
  jsonOut: jsonOutOption(process.argv.slice(2)),
  cleanup: async (ctx) => void (await api.destroy(LAB, ctx)),
  async measure({ ctx, log, signal }) {
    const lab = await api.deploy(parseTopology(TOPOLOGY, '<bench>', {}), ctx);
    log(`lab ${LAB} up (${lab.image}, backend ${lab.impairmentBackend})`);
    await ping(ctx, 20); // ARP and first-packet costs, unmeasured
    const rtt = await rttSweep(ctx, log, signal);
    const load = await loadSweep(ctx, log, signal);
    return { report: render(rtt, load), figures: { image: lab.image, backend: lab.impairmentBackend, topology: TOPOLOGY, rtt, load } };
  },
}).then((code) => { process.exitCode = code; });
