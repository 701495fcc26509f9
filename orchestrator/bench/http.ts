// `npm run bench:http`: cache-hit requests/s of our reverse proxy (http-reverse-proxy) against
// nginx's proxy_cache in front of the same origin, 1 KB objects, one load generator (wrk) for
// both, in one lab (topologies/bench/http.yaml). Measurements alternate ours / nginx round by
// round (the order flipping each round), so the machine's noise hits both and the ratio holds
// where absolute figures do not. Modelled on bench:dns (dns.ts).
import path from 'node:path';
import { repoRoot } from '../images/paths.js';
import { childTicks, spread } from './dns-reference.js';
import { commandLineOptions, runBench, table } from './harness.js';
import { nginxConf, parseWrk, wrkArgv, wrkScript, type WrkResult } from './http-reference.js';
import { cpuSecondsOf, deployBenchLab, pinNeighbours, removeLabs, writeNodeFile, type Exec } from './lab-exec.js';

const TOPOLOGY = path.join(repoRoot, 'topologies', 'bench', 'http.yaml');
const LAB_PREFIX = 'bench-http';
const NGINX_DIR = '/tmp/nginx-bench';
const SCRIPT = '/tmp/bench-http.lua';
/** Both servers on this CPU, wrk on the other: one core each, never shared. */
const SERVER_CPU = 0;
const LOAD_CPU = 1;

interface Options { rounds: number; seconds: number; warmup: number; connections: number; objects: number; jsonOut?: string }
interface Server { label: string; node: string; address: string; procs: { glob: string; comm: RegExp }; cacheField: string; hit: RegExp }
interface Run extends WrkResult { cpuSeconds: number; loadCpuSeconds: number; upstreamRequests: number }

/** Requests the origin has answered so far (its http-stats counter). */
async function originRequests(exec: Exec): Promise<number> {
  const out = await exec('origin', ['node', '/opt/emunet/agent.mjs', 'workload', 'http-stats']);
  const line = out.split('\n').find((l) => l.includes('"metric":"http_requests"'));
  if (!line) throw new Error('origin: http-stats reported no http_requests counter');
  return (JSON.parse(line) as { value: number }).value;
}

async function measure(exec: Exec, o: Options, s: Server): Promise<Run> {
  const wrk = (seconds: number) => wrkArgv({ url: `http://${s.address}/`, seconds, connections: o.connections, threads: 1, script: SCRIPT, cpu: LOAD_CPU });
  if (o.warmup > 0) await exec('load', wrk(o.warmup));
  const before = { cpu: await cpuSecondsOf(exec, s.node, s.procs), upstream: await originRequests(exec) };
  // The shell that waits for wrk then reads its own children's CPU time (cutime, cstime): wrk's.
  const out = await exec('load', ['sh', '-c', '"$@" 2>&1; s=$?; echo; getconf CLK_TCK; cat /proc/$$/stat; exit $s', 'sh', ...wrk(o.seconds)]);
  const [hz, stat] = out.trimEnd().split('\n').slice(-2);
  const cpuSeconds = (await cpuSecondsOf(exec, s.node, s.procs)) - before.cpu;
  return { ...parseWrk(out), cpuSeconds, loadCpuSeconds: childTicks(stat ?? '') / (Number(hz) || 100), upstreamRequests: (await originRequests(exec)) - before.upstream };
}

/** Fills both caches with every object, then checks each now answers from its cache, with the origin's bytes. */
async function checkServedFromCache(exec: Exec, servers: Server[], objects: number): Promise<void> {
  const get = (s: Server, k: number) => exec('load', ['sh', '-c', 'curl -sS --max-time 5 -D /tmp/h -o /tmp/b "$1" && md5sum < /tmp/b | cut -c1-32 && cat /tmp/h', 'sh', `http://${s.address}/obj/${k}`]);
  for (const s of servers) for (let k = 1; k <= objects; k++) await get(s, k);
  const bodies = new Set<string>();
  for (const s of servers) {
    for (const k of [1, objects]) {
      const out = await get(s, k);
      if (!/^HTTP\/1\.1 200/m.test(out) || !s.hit.test(out)) throw new Error(`${s.label}: /obj/${k} was not a cache hit on the second request (expected ${s.cacheField}: HIT):\n${out}`);
      if (k === 1) bodies.add(out.split('\n')[0]!);
    }
  }
  if (bodies.size !== 1) throw new Error('ours and nginx answered /obj/1 with different bodies');
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toString() : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const withRange = (s: { median: number; min: number; max: number }, f: (n: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

function side(runs: Run[], s: Server) {
  return {
    server: s.label,
    rps: spread(runs.map((r) => r.rps)),
    cpuPercent: spread(runs.map((r) => (100 * r.cpuSeconds) / r.runSeconds)),
    loadCpuPercent: spread(runs.map((r) => (100 * r.loadCpuSeconds) / r.runSeconds)),
    rpsPerCpuSecond: spread(runs.map((r) => r.requests / r.cpuSeconds)),
    p50Ms: spread(runs.map((r) => r.latencyMs['50'] ?? NaN)),
    p99Ms: spread(runs.map((r) => r.latencyMs['99'] ?? NaN)),
    bytesPerResponse: spread(runs.map((r) => r.bytesRead / r.requests)).median,
    errors: runs.reduce((n, r) => n + r.socketErrors + r.non2xx, 0),
    upstream: runs.reduce((n, r) => n + r.upstreamRequests, 0),
  };
}

function render(ours: ReturnType<typeof side>, ref: ReturnType<typeof side>, perRound: ReturnType<typeof spread>, o: Options, loadAverage: { before: string; after: string }, nginxVersion: string): string {
  const main = [['ours', 'req/s median (min–max)', 'reference', 'req/s median (min–max)', 'ratio', 'ratio per round (min–max)', 'ratio per CPU-s']];
  main.push([ours.server, withRange(ours.rps, f0), ref.server, withRange(ref.rps, f0), f2(ours.rps.median / ref.rps.median), withRange(perRound, f2), f2(ours.rpsPerCpuSecond.median / ref.rpsPerCpuSecond.median)]);
  const detail = [['server', 'server CPU %', 'wrk CPU %', 'req per server CPU-s', 'p50 ms', 'p99 ms', 'bytes/response', 'errors', 'origin requests']];
  for (const s of [ours, ref]) detail.push([s.server, f0(s.cpuPercent.median), f0(s.loadCpuPercent.median), f0(s.rpsPerCpuSecond.median), f2(s.p50Ms.median), f2(s.p99Ms.median), f0(s.bytesPerResponse), String(s.errors), String(s.upstream)]);
  return [
    table(main),
    '',
    table(detail),
    '',
    `req/s: wrk "Requests/sec", ${o.rounds} rounds of ${o.seconds} s per server, each after an unrecorded ${o.warmup} s warm-up; ratio = ours median / reference median; per round = within one round; per CPU-s = requests per server CPU-second.`,
    `held equal: the origin and its ${o.objects} objects of 1000 bytes (max-age 3600; every one in both caches before measuring, checked: second request a HIT, same body), wrk (-t 1 -c ${o.connections}, the objects requested in turn, keep-alive) on its own node pinned to CPU ${LOAD_CPU}, each server pinned to CPU ${SERVER_CPU} (ours: the agent, one event loop; ${nginxVersion}: worker_processes 1), one server loaded at a time, order flipped each round.`,
    'not equal: ours logs a line per request (batched per event-loop turn to Docker\'s log pipe); nginx access_log off. errors: wrk socket errors + non-2xx/3xx; origin requests: requests that reached the origin during recorded runs (0 = every answer a cache hit).',
    `machine load average (1, 5, 15 min) before: ${loadAverage.before}, after: ${loadAverage.after}.`,
  ].join('\n');
}

const options = commandLineOptions('http', {
  rounds: { default: 5, min: 1 }, seconds: { default: 10, min: 1 }, warmup: { default: 2, min: 0 }, connections: { default: 50, min: 1 }, objects: { default: 100, min: 1 },
});

runBench({
  name: 'http',
  jsonOut: options.jsonOut,
  cleanup: (ctx) => removeLabs(ctx, LAB_PREFIX),
  async measure({ ctx, log, signal }) {
    const { lab, exec, addressOf } = await deployBenchLab(ctx, TOPOLOGY, LAB_PREFIX, log, signal);
    const ours: Server = { label: 'http-reverse-proxy (ours)', node: 'rev', address: addressOf('rev'), procs: { glob: '/proc/1/stat', comm: /^node$/ }, cacheField: 'X-Cache', hit: /^x-cache: HIT from rev/im };
    const nginx: Server = { label: 'nginx', node: 'nginx', address: addressOf('nginx'), procs: { glob: '/proc/[0-9]*/stat', comm: /^nginx$/ }, cacheField: 'X-Cache-Status', hit: /^x-cache-status: HIT/im };

    log('Pinning ARP entries, starting nginx, pinning both servers to their CPU…');
    await pinNeighbours(exec, ['origin', 'rev', 'nginx', 'load'].map((node) => ({ node, address: addressOf(node) })));
    await writeNodeFile(exec, 'nginx', `${NGINX_DIR}/nginx.conf`, nginxConf({ address: nginx.address, port: 80, origin: `${addressOf('origin')}:80`, dir: NGINX_DIR }));
    await exec('nginx', ['nginx', '-t', '-q', '-c', `${NGINX_DIR}/nginx.conf`]);
    // nginx daemonizes; started under taskset, its master and worker stay on SERVER_CPU.
    await exec('nginx', ['taskset', '-c', String(SERVER_CPU), 'nginx', '-c', `${NGINX_DIR}/nginx.conf`]);
    await exec('rev', ['taskset', '-a', '-p', '-c', String(SERVER_CPU), '1']);
    const nginxVersion = /nginx\/(\S+)/.exec(await exec('nginx', ['nginx', '-v']))?.[0] ?? 'nginx';
    nginx.label = nginxVersion;
    await writeNodeFile(exec, 'load', SCRIPT, wrkScript(options.objects));
    await checkServedFromCache(exec, [ours, nginx], options.objects);
    log(`Started ${nginxVersion}; both serve all ${options.objects} objects from their cache`);

    const loadAverage = async () => (await exec('load', ['cat', '/proc/loadavg'])).split(' ').slice(0, 3).join(' ');
    const loadBefore = await loadAverage();
    const runs = { ours: [] as Run[], nginx: [] as Run[] };
    for (let round = 1; round <= options.rounds; round++) {
      const order = round % 2 === 1 ? (['ours', 'nginx'] as const) : (['nginx', 'ours'] as const);
      for (const which of order) {
        signal.throwIfAborted();
        const server = which === 'ours' ? ours : nginx;
        const run = await measure(exec, options, server);
        runs[which].push(run);
        log(`round ${round}/${options.rounds} ${server.label}: ${f0(run.rps)} req/s, CPU ${f0((100 * run.cpuSeconds) / run.runSeconds)} % (wrk ${f0((100 * run.loadCpuSeconds) / run.runSeconds)} %), p99 ${f2(run.latencyMs['99'] ?? NaN)} ms, errors ${run.socketErrors + run.non2xx}, origin requests ${run.upstreamRequests}`);
      }
    }
    const loadAfter = await loadAverage();
    const o = side(runs.ours, ours);
    const r = side(runs.nginx, nginx);
    const perRound = spread(runs.ours.map((x, i) => x.rps / runs.nginx[i]!.rps));
    return {
      report: render(o, r, perRound, options, { before: loadBefore, after: loadAfter }, nginxVersion),
      figures: { image: lab.image, nginx: nginxVersion, options, loadAverage: { before: loadBefore, after: loadAfter }, ours: o, reference: r, ratio: o.rps.median / r.rps.median, ratioPerRound: perRound, runs },
    };
  },
}).then((code) => { process.exitCode = code; });
