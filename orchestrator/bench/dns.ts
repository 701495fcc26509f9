// `npm run bench:dns`: queries/s of our authoritative server against NSD serving the same zone,
// and of our resolver's cached answers against Unbound's, with one load generator (dnsperf) for
// all four, in one lab (topologies/bench/dns.yaml). Measurements alternate ours / reference
// round by round (the order flipping each round), so the machine's noise hits both sides and
// the ratios are comparable even where absolute figures are not.
import path from 'node:path';
import { repoRoot } from '../images/paths.js';
import { answerSignature, childTicks, dnsperfArgv, masterFile, nsdConf, parseDnsperf, queryFile, spread, unboundConf, zoneFromConfig, type DnsperfResult } from './dns-reference.js';
import { commandLineOptions, runBench, table } from './harness.js';
import { cpuSecondsOf, deployBenchLab, pinNeighbours, removeLabs, writeNodeFile, type Exec } from './lab-exec.js';

const TOPOLOGY = path.join(repoRoot, 'topologies', 'bench', 'dns.yaml');
/** This bench only ever creates or destroys labs named so. */
const LAB_PREFIX = 'bench-dns';
const ZONE = 'bench.test';
const QUERIES = '/tmp/bench-dns-queries.txt';
/** Every server under test runs on this CPU, dnsperf on the other: one core each, never shared. */
const SERVER_CPU = 0;
const LOAD_CPU = 1;

interface Options { rounds: number; seconds: number; warmup: number; clients: number; inFlight: number; jsonOut?: string }

interface Server {
  /** As printed: `dns-auth (ours)`, `NSD 4.6.1`. */
  label: string;
  node: string;
  address: string;
  /** Which /proc/PID/stat files hold its processes, and their names. */
  procs: { glob: string; comm: RegExp };
}

interface Pair { name: string; ours: Server; reference: Server; dig: string[]; /** Count the queries that reach the authoritative server (should be none: the answers are cached). */ upstream: boolean }

interface Run extends DnsperfResult { cpuSeconds: number; /** dnsperf's own CPU time: near the run's length, it was the limit. */ loadCpuSeconds: number; upstreamQueries?: number }

async function waitAnswering(exec: Exec, load: string, server: Server, query: string[]): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const out = await exec(load, ['dig', `@${server.address}`, ...query, '+tries=1', '+time=1']).catch(() => '');
    if (/status: NOERROR/.test(out)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${server.label} on ${server.node} (${server.address}) did not answer ${query.join(' ')} within 5 s`);
}

/** Queries our authoritative server has answered so far (its dns-stats counter). */
async function authQueries(exec: Exec, node: string): Promise<number> {
  const out = await exec(node, ['node', '/opt/emunet/agent.mjs', 'workload', 'dns-stats']);
  const line = out.split('\n').find((l) => l.includes('"metric":"dns_queries"'));
  if (!line) throw new Error(`${node}: dns-stats reported no dns_queries counter`);
  return (JSON.parse(line) as { value: number }).value;
}

/** One measurement: an unrecorded warm-up run (JIT, caches, ARP), then the recorded run with the server's CPU time around it. */
async function measure(exec: Exec, o: Options, load: string, s: Server, upstream?: { node: string }): Promise<Run> {
  const perf = (seconds: number) => dnsperfArgv({ server: s.address, queryFile: QUERIES, seconds, clients: o.clients, inFlight: o.inFlight, cpu: LOAD_CPU });
  if (o.warmup > 0) await exec(load, perf(o.warmup));
  const before = { cpu: await cpuSecondsOf(exec, s.node, s.procs), up: upstream ? await authQueries(exec, upstream.node) : undefined };
  // The shell that waits for dnsperf then reads its own children's CPU time (cutime, cstime): dnsperf's.
  const out = await exec(load, ['sh', '-c', '"$@" 2>&1; s=$?; echo; getconf CLK_TCK; cat /proc/$$/stat; exit $s', 'sh', ...perf(o.seconds)]);
  const [hz, stat] = out.trimEnd().split('\n').slice(-2);
  const result = parseDnsperf(out);
  const loadCpuSeconds = childTicks(stat ?? '') / (Number(hz) || 100);
  const cpu = (await cpuSecondsOf(exec, s.node, s.procs)) - before.cpu;
  const upstreamQueries = upstream && before.up !== undefined ? (await authQueries(exec, upstream.node)) - before.up : undefined;
  return { ...result, cpuSeconds: cpu, loadCpuSeconds, ...(upstreamQueries === undefined ? {} : { upstreamQueries }) };
}

/** Both servers of a pair must give the same answers, or the comparison means nothing. */
async function checkSameAnswers(exec: Exec, load: string, pair: Pair, queries: string[][]): Promise<void> {
  const ask = (s: Server, q: string[]) => exec(load, ['dig', `@${s.address}`, ...q, ...pair.dig, '+tries=1', '+time=2', '+noall', '+comments', '+answer', '+authority']).then(answerSignature);
  for (const q of queries) {
    const [ours, reference] = [await ask(pair.ours, q), await ask(pair.reference, q)];
    if (ours !== reference) throw new Error(`${pair.name}: ${q.join(' ')} is answered differently.\n  ${pair.ours.label}: ${ours}\n  ${pair.reference.label}: ${reference}`);
  }
}

async function startReferences(exec: Exec, servers: { auth: Server; nsd: Server; resolver: Server; unbound: Server }, zoneText: string): Promise<void> {
  const { auth, nsd, resolver, unbound } = servers;
  await writeNodeFile(exec, nsd.node, `/etc/nsd/${ZONE}.zone`, zoneText);
  await writeNodeFile(exec, nsd.node, '/etc/nsd/nsd.conf', nsdConf({ address: nsd.address, origin: ZONE, zoneFile: `/etc/nsd/${ZONE}.zone`, dir: '/etc/nsd' }));
  await exec(nsd.node, ['nsd-checkzone', ZONE, `/etc/nsd/${ZONE}.zone`]);
  await exec(nsd.node, ['nsd-checkconf', '/etc/nsd/nsd.conf']);
  // Both daemonize; started under taskset, every process and thread they make stays on SERVER_CPU.
  await exec(nsd.node, ['taskset', '-c', String(SERVER_CPU), 'nsd', '-c', '/etc/nsd/nsd.conf']);
  await writeNodeFile(exec, unbound.node, '/etc/unbound/unbound.conf', unboundConf({ address: unbound.address, origin: ZONE, stubAddress: auth.address, dir: '/etc/unbound' }));
  await exec(unbound.node, ['unbound-checkconf', '/etc/unbound/unbound.conf']);
  await exec(unbound.node, ['taskset', '-c', String(SERVER_CPU), 'unbound', '-c', '/etc/unbound/unbound.conf']);
  // Our servers are their agents (PID 1), already running: pin every thread of them.
  for (const ours of [auth, resolver]) await exec(ours.node, ['taskset', '-a', '-p', '-c', String(SERVER_CPU), '1']);
}

/**
 * Static ARP entries between every pair of the lab's nodes. The kernel's neighbour table is
 * shared by every network namespace on the machine: when other labs fill it ("neighbor table
 * overflow"), an entry that expires mid-run cannot be recreated and dnsperf's sends fail with
 * ENOBUFS for the whole run. Permanent entries are exempt from that limit.
 */
async function versions(exec: Exec, nodes: { nsd: string; unbound: string; load: string }): Promise<{ nsd: string; unbound: string; dnsperf: string }> {
  const first = async (node: string, script: string, re: RegExp) => re.exec(await exec(node, ['sh', '-c', `${script} 2>&1 || true`]))?.[1] ?? '?';
  return {
    nsd: await first(nodes.nsd, 'nsd -v', /NSD version (\S+)/),
    unbound: await first(nodes.unbound, 'unbound -V', /Version (\S+)/),
    dnsperf: await first(nodes.load, 'dnsperf -h', /Version (\S+)/),
  };
}

interface PairResult { pair: Pair; ours: Run[]; reference: Run[] }

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toString() : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const withRange = (s: { median: number; min: number; max: number }, f: (n: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

function summarize(r: PairResult) {
  const side = (runs: Run[], s: Server) => ({
    server: s.label,
    qps: spread(runs.map((x) => x.qps)),
    cpuPercent: spread(runs.map((x) => (100 * x.cpuSeconds) / x.runSeconds)),
    loadCpuPercent: spread(runs.map((x) => (100 * x.loadCpuSeconds) / x.runSeconds)),
    qpsPerCpuSecond: spread(runs.map((x) => x.completed / x.cpuSeconds)),
    avgLatencyMs: spread(runs.map((x) => x.avgLatencyMs)),
    lost: runs.reduce((n, x) => n + x.lost, 0),
    sent: runs.reduce((n, x) => n + x.sent, 0),
    replyBytes: spread(runs.map((x) => x.replyBytes)).median,
    rcodes: runs.at(-1)?.rcodes ?? {},
    upstreamQueries: runs.some((x) => x.upstreamQueries !== undefined) ? runs.reduce((n, x) => n + (x.upstreamQueries ?? 0), 0) : undefined,
  });
  const ours = side(r.ours, r.pair.ours);
  const reference = side(r.reference, r.pair.reference);
  const ratioPerRound = spread(r.ours.map((x, i) => x.qps / r.reference[i]!.qps));
  return { pair: r.pair.name, ours, reference, ratio: ours.qps.median / reference.qps.median, ratioPerRound, runs: { ours: r.ours, reference: r.reference } };
}

function render(results: ReturnType<typeof summarize>[], o: Options, v: { nsd: string; unbound: string; dnsperf: string }, loadAverage: { before: string; after: string }): string {
  const main = [['pair', 'ours', 'qps median (min–max)', 'reference', 'qps median (min–max)', 'ratio', 'ratio per round (min–max)', 'ratio per CPU-s']];
  for (const r of results) {
    main.push([r.pair, r.ours.server, withRange(r.ours.qps, f0), r.reference.server, withRange(r.reference.qps, f0), f2(r.ratio), withRange(r.ratioPerRound, f2), f2(r.ours.qpsPerCpuSecond.median / r.reference.qpsPerCpuSecond.median)]);
  }
  const detail = [['server', 'server CPU %', 'dnsperf CPU %', 'qps per server CPU-second', 'avg latency ms', 'lost/sent', 'reply bytes', 'upstream queries', 'rcodes (last run)']];
  for (const r of results) {
    for (const s of [r.ours, r.reference]) {
      detail.push([s.server, f0(s.cpuPercent.median), f0(s.loadCpuPercent.median), f0(s.qpsPerCpuSecond.median), f2(s.avgLatencyMs.median), `${s.lost}/${s.sent}`, f0(s.replyBytes), s.upstreamQueries === undefined ? '-' : String(s.upstreamQueries), Object.entries(s.rcodes).map(([k, n]) => `${k} ${n}`).join(', ')]);
    }
  }
  return [
    table(main),
    '',
    table(detail),
    '',
    `qps: dnsperf ${v.dnsperf} "Queries per second", ${o.rounds} rounds of ${o.seconds} s per server, each after an unrecorded ${o.warmup} s warm-up; ratio = ours median / reference median; ratio per round = ours / reference within one round; ratio per CPU-s = the same for qps per server CPU-second (below).`,
    `held equal: the zone (NSD's zone file is written from the records dns-auth serves; every query in the mix gets the same status and records from both servers of a pair, checked with dig before measuring), the query mix (every RRset of ${ZONE} + one NXDOMAIN + one NODATA, cycled), dnsperf settings (-c ${o.clients} -q ${o.inFlight} -T 1 on its own node), and CPU: every server pinned to CPU ${SERVER_CPU} (all its threads), dnsperf to CPU ${LOAD_CPU}, one server loaded at a time, order ours/reference flipped each round.`,
    `reference settings: NSD ${v.nsd} (server-count 1, minimal-responses, round-robin, RRL off); Unbound ${v.unbound} (num-threads 1, module-config iterator, stub-zone ${ZONE} -> dns-auth, ratelimit 0, prefetch off); ours: dns-resolver forwards to dns-auth.`,
    `machine load average (1, 5, 15 min) before: ${loadAverage.before}, after: ${loadAverage.after} (2 cores; other work on the machine is noise both sides share).`,
    'CPU %: utime+stime during the recorded run / its duration, of one core each (server: its processes; dnsperf: counted by its parent shell). dnsperf near 100 %: the load generator set the rate and the server could do more (its figure is a lower bound). Server and dnsperf both well below 100 %: the server was blocked, not busy (ours: on its per-query log line, see README, Performance). qps per server CPU-second compares the servers\' own cost either way.',
    'upstream queries: queries dns-auth received during the resolvers\' recorded runs (0 = every answer came from the cache). reply bytes: dnsperf\'s average (ours does not compress names, and adds the address of an MX or SRV target).',
  ].join('\n');
}

const options = commandLineOptions('dns', {
  rounds: { default: 5, min: 1 }, seconds: { default: 10, min: 1 }, warmup: { default: 2, min: 0 }, clients: { default: 4, min: 1 }, inFlight: { default: 100, min: 1 },
});

runBench({
  name: 'dns',
  jsonOut: options.jsonOut,
  cleanup: (ctx) => removeLabs(ctx, LAB_PREFIX),
  async measure({ ctx, log, signal }) {
    const { lab, exec, addressOf } = await deployBenchLab(ctx, TOPOLOGY, LAB_PREFIX, log, signal);
    const agent = { glob: '/proc/1/stat', comm: /^node$/ };
    const servers = {
      auth: { label: 'dns-auth (ours)', node: 'auth', address: addressOf('auth'), procs: agent },
      nsd: { label: 'NSD', node: 'nsd', address: addressOf('nsd'), procs: { glob: '/proc/[0-9]*/stat', comm: /^nsd/ } },
      resolver: { label: 'dns-resolver (ours)', node: 'resolver', address: addressOf('resolver'), procs: agent },
      unbound: { label: 'Unbound', node: 'unbound', address: addressOf('unbound'), procs: { glob: '/proc/[0-9]*/stat', comm: /^unbound$/ } },
    };
    const load = 'load';
    const authConfig = lab.plan.nodes.find((n) => n.name === servers.auth.node)?.config ?? {};
    const zone = zoneFromConfig(authConfig, ZONE);

    log('Pinning ARP entries, starting NSD and Unbound, pinning the servers to their CPU…');
    await pinNeighbours(exec, [...Object.values(servers), { node: load, address: addressOf(load) }]);
    await startReferences(exec, servers, masterFile(zone));
    const v = await versions(exec, { nsd: servers.nsd.node, unbound: servers.unbound.node, load });
    servers.nsd.label = `NSD ${v.nsd}`;
    servers.unbound.label = `Unbound ${v.unbound}`;
    const queries = queryFile(zone).trim().split('\n').map((l) => l.split(' '));
    await writeNodeFile(exec, load, QUERIES, queryFile(zone));
    for (const s of Object.values(servers)) await waitAnswering(exec, load, s, [ZONE, 'SOA']);
    const pairs: Pair[] = [
      { name: `authoritative (${ZONE})`, ours: servers.auth, reference: servers.nsd, dig: ['+norec'], upstream: false },
      { name: 'cached answers (warm)', ours: servers.resolver, reference: servers.unbound, dig: [], upstream: true },
    ];
    for (const pair of pairs) await checkSameAnswers(exec, load, pair, queries);
    log(`Started ${servers.nsd.label} and ${servers.unbound.label}; both pairs give the same answers to all ${queries.length} queries`);

    const loadAverage = async () => (await exec(load, ['cat', '/proc/loadavg'])).split(' ').slice(0, 3).join(' ');
    const loadBefore = await loadAverage();
    const results: PairResult[] = pairs.map((pair) => ({ pair, ours: [], reference: [] }));
    const retried: { round: number; server: string; lost: number; sent: number }[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const r of results) {
        // Flip the order each round, so neither side always runs right after the other pair.
        const order = round % 2 === 1 ? (['ours', 'reference'] as const) : (['reference', 'ours'] as const);
        for (const which of order) {
          signal.throwIfAborted();
          let run = await measure(exec, options, load, r.pair[which], r.pair.upstream ? { node: servers.auth.node } : undefined);
          // A run that lost queries measured the path, not the server: repeat it (at most twice), and say so.
          for (let retry = 1; retry <= 2 && run.lost > run.sent / 1000; retry++) {
            log(`round ${round}/${options.rounds} ${r.pair[which].label}: lost ${run.lost}/${run.sent} queries; measuring again (${retry}/2)`);
            retried.push({ round, server: r.pair[which].label, lost: run.lost, sent: run.sent });
            run = await measure(exec, options, load, r.pair[which], r.pair.upstream ? { node: servers.auth.node } : undefined);
          }
          r[which].push(run);
          log(`round ${round}/${options.rounds} ${r.pair[which].label}: ${f0(run.qps)} qps, CPU ${f0((100 * run.cpuSeconds) / run.runSeconds)} % (dnsperf ${f0((100 * run.loadCpuSeconds) / run.runSeconds)} %), lost ${run.lost}/${run.sent}${run.upstreamQueries === undefined ? '' : `, upstream ${run.upstreamQueries}`}`);
        }
      }
    }
    const loadAfter = await loadAverage();
    const summaries = results.map(summarize);
    const note = retried.length === 0 ? 'every run completed (no run lost more than 0.1 % of its queries)' : `runs measured again after losing queries: ${retried.map((x) => `round ${x.round} ${x.server} (${x.lost}/${x.sent})`).join(', ')}`;
    return { report: `${render(summaries, options, v, { before: loadBefore, after: loadAfter })}\n${note}`, figures: { image: lab.image, versions: v, options, loadAverage: { before: loadBefore, after: loadAfter }, zone: masterFile(zone), queries: queryFile(zone), retried, pairs: summaries } };
  },
}).then((code) => { process.exitCode = code; });
