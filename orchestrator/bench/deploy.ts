// `npm run bench:deploy`: how much slower is an emunet deploy/destroy than the cheapest way
// Docker can create the same containers on the same networks? Both sides run in the same
// process, on the same engine, alternating per round, so the ratio is meaningful even where
// absolute seconds are not (a 2-core VM, other users of the engine).
import { execa } from 'execa';
import * as api from '../api.js';
import { defaultJsonPath, runBench, table } from './harness.js';
import { parseTopology } from '../topology/load.js';

/** Every floor object carries this label, so a crashed run's leftovers can be found and removed. */
const BENCH_LABEL = 'emunet.bench=deploy';
/** Lab names of this bench start with this; nothing else on the engine is ever touched. */
const LAB_PREFIX = 'bench-n';

interface Options { sizes: number[]; rounds: number; jsonOut?: string }
interface EmunetSample { deployMs: number; destroyMs: number; totalMs: number; networksMs: number; containersMs: number; readyMs: number; outsideLabMs: number }
interface FloorSample { createMs: number; removeMs: number; totalMs: number }

/** A router joins all LANs, so a host-to-host path crosses it (and the host firewall rules). */
const lanCount = (n: number) => Math.max(2, Math.ceil(n / 10));

/** N nodes: router r1 on every LAN, hosts h1..h(N-1) spread round-robin over the LANs. */
function benchNodes(n: number): { name: string; role: 'router' | 'host'; lans: number[] }[] {
  const lans = lanCount(n);
  const router = { name: 'r1', role: 'router' as const, lans: Array.from({ length: lans }, (_, i) => i) };
  const hosts = Array.from({ length: n - 1 }, (_, i) => ({ name: `h${i + 1}`, role: 'host' as const, lans: [i % lans] }));
  return [router, ...hosts];
}

function benchTopology(lab: string, n: number): string {
  const lines = [`name: ${lab}`, 'networks:'];
  for (let i = 0; i < lanCount(n); i++) lines.push(`  lan${i}: {}`);
  lines.push('nodes:');
  for (const node of benchNodes(n)) lines.push(`  ${node.name}:`, `    role: ${node.role}`, `    networks: [${node.lans.map((l) => `lan${l}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

const since = (start: number) => performance.now() - start;

/** Like Promise.all, but waits for every call to settle first: no call may outlive the cleanup. */
async function allSettledOrThrow<T>(calls: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

const docker = async (args: string[]) => (await execa('docker', args)).stdout;

async function emunetRound(ctx: api.Context, lab: string, n: number): Promise<EmunetSample> {
  const topology = parseTopology(benchTopology(lab, n), '<bench>', {});
  const start = performance.now();
  const deployed = await api.deploy(topology, ctx);
  const deployMs = since(start);
  const destroyStart = performance.now();
  await api.destroy(lab, ctx);
  const destroyMs = since(destroyStart);
  const t = deployed.timings;
  // outsideLabMs: api.deploy's work before deployLab starts (image check + bundle, planning).
  return { deployMs, destroyMs, totalMs: deployMs + destroyMs, networksMs: t.networksMs, containersMs: t.containersMs, readyMs: t.readyMs, outsideLabMs: deployMs - t.totalMs };
}

async function floorRound(image: string, tag: string, n: number): Promise<FloorSample> {
  const networks = Array.from({ length: lanCount(n) }, (_, i) => ({ name: `emunet-bench-${tag}-lan${i}`, subnet: `10.214.${i}.0/24` }));
  const nodes = benchNodes(n).map((node) => ({ ...node, container: `emunet-bench-${tag}-${node.name}` }));
  const start = performance.now();
  await allSettledOrThrow(networks.map((net) => docker(['network', 'create', '--internal', '--label', BENCH_LABEL, '--subnet', net.subnet, net.name])));
  await allSettledOrThrow(
    nodes.map(async (node) => {
      const [first, ...others] = node.lans.map((l) => networks[l]!.name);
      await docker(['run', '-d', '--name', node.container, '--label', BENCH_LABEL, '--network', first!, '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--entrypoint', 'sleep', image, 'infinity']);
      // `docker run` takes one network; the router joins the others as emunet's does.
      for (const other of others) await docker(['network', 'connect', other, node.container]);
    }),
  );
  const createMs = since(start);
  const removeStart = performance.now();
  await allSettledOrThrow(nodes.map((node) => docker(['rm', '-f', node.container])));
  await allSettledOrThrow(networks.map((net) => docker(['network', 'rm', net.name])));
  const removeMs = since(removeStart);
  return { createMs, removeMs, totalMs: createMs + removeMs };
}

/** Removes whatever this bench may have left: floor objects by label, emunet labs by name prefix. */
async function cleanup(ctx: api.Context): Promise<void> {
  const containers = (await docker(['ps', '-aq', '--filter', `label=${BENCH_LABEL}`])).split('\n').filter(Boolean);
  if (containers.length > 0) await docker(['rm', '-f', ...containers]);
  const networks = (await docker(['network', 'ls', '-q', '--filter', `label=${BENCH_LABEL}`])).split('\n').filter(Boolean);
  if (networks.length > 0) await docker(['network', 'rm', ...networks]);
  const labs = (await api.inspect(undefined, ctx)).map((l) => l.lab).filter((name) => name.startsWith(LAB_PREFIX));
  for (const lab of labs) await api.destroy(lab, ctx);
}

function stats(values: number[]): { min: number; median: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median };
}

interface SizeResult { n: number; lans: number; emunet: EmunetSample[]; floor: FloorSample[] }

function summarize(r: SizeResult) {
  const s = (xs: number[]) => stats(xs.map((ms) => ms / 1000));
  const e = { deploy: s(r.emunet.map((x) => x.deployMs)), destroy: s(r.emunet.map((x) => x.destroyMs)), total: s(r.emunet.map((x) => x.totalMs)) };
  const f = { create: s(r.floor.map((x) => x.createMs)), remove: s(r.floor.map((x) => x.removeMs)), total: s(r.floor.map((x) => x.totalMs)) };
  const breakdown = {
    outsideLab: s(r.emunet.map((x) => x.outsideLabMs)).median,
    networks: s(r.emunet.map((x) => x.networksMs)).median,
    containers: s(r.emunet.map((x) => x.containersMs)).median,
    ready: s(r.emunet.map((x) => x.readyMs)).median,
  };
  const ratio = { deploy: e.deploy.median / f.create.median, destroy: e.destroy.median / f.remove.median, total: e.total.median / f.total.median };
  return { n: r.n, lans: r.lans, rounds: r.emunet.length, emunet: e, floor: f, ratio, emunet_deploy_breakdown_median_s: breakdown, samples_ms: { emunet: r.emunet, floor: r.floor } };
}

function render(summaries: ReturnType<typeof summarize>[], image: string): string {
  const mm = (x: { min: number; median: number }) => `${x.median.toFixed(2)} (${x.min.toFixed(2)})`;
  const header = ['N', 'nets', 'emunet deploy', 'floor docker run', 'ratio', 'emunet destroy', 'floor rm', 'ratio', 'emunet total', 'floor total', 'ratio'];
  const rows = summaries.map((s) => [String(s.n), String(s.lans), mm(s.emunet.deploy), mm(s.floor.create), s.ratio.deploy.toFixed(2), mm(s.emunet.destroy), mm(s.floor.remove), s.ratio.destroy.toFixed(2), mm(s.emunet.total), mm(s.floor.total), s.ratio.total.toFixed(2)]);
  const breakdown = summaries.map((s) => {
    const b = s.emunet_deploy_breakdown_median_s;
    return `emunet deploy breakdown N=${s.n} (median s): image check+plan ${b.outsideLab.toFixed(2)}, networks ${b.networks.toFixed(2)}, firewall helper+containers ${b.containers.toFixed(2)}, agents ready ${b.ready.toFixed(2)}`;
  });
  return [
    table([header, ...rows]),
    '',
    'cells: median (min) seconds over rounds; ratio = emunet median / floor median.',
    ...breakdown,
    'emunet: parseTopology of an in-memory topology (router r1 on every LAN, N-1 hosts round-robin), api.deploy until every agent logged ready, then api.destroy (contextDefaults: 8 engine calls in flight).',
    `floor: docker network create --internal (10.214.x.0/24) per LAN, then all N \`docker run -d --cap-add NET_ADMIN --cap-add NET_RAW --entrypoint sleep ${image} infinity\` at once (router: + docker network connect per extra LAN); then all \`docker rm -f\` at once, then docker network rm.`,
    'measured: wall clock (performance.now) in one process, docker CLI via execa, rounds alternating emunet, floor per N; network create/remove counted in the floor, networks+firewall+readiness in emunet.',
  ].join('\n');
}

function parseOptions(argv: string[]): Options {
  const options: Options = { sizes: [10, 25, 50], rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${arg} needs a value`); return v; };
    if (arg === '--sizes') options.sizes = value().split(',').map(Number);
    else if (arg === '--rounds') options.rounds = Number(value());
    else if (arg === '--json-out') {
      // Bare flag: the default timestamped path; followed by a path: that path.
      const next = argv[i + 1];
      options.jsonOut = next && !next.startsWith('--') ? value() : defaultJsonPath('deploy');
    } else throw new Error(`unknown option ${arg} (known: --sizes 10,25,50 --rounds 3 --json-out [file])`);
  }
  // A router plus at least one host on each LAN.
  if (options.sizes.some((n) => !Number.isInteger(n) || n < 3)) throw new Error('--sizes: whole numbers of at least 3, comma-separated');
  if (!Number.isInteger(options.rounds) || options.rounds < 1) throw new Error('--rounds: a whole number of at least 1');
  return options;
}

const options = parseOptions(process.argv.slice(2));

runBench({
  name: 'deploy',
  jsonOut: options.jsonOut,
  cleanup,
  async measure({ ctx, log, signal }) {
    // Built (or found) once up front, so no round pays for an image build.
    const image = (await api.buildImages(ctx)).tag;
    log(`agent image ${image}; sizes ${options.sizes.join(',')}; ${options.rounds} rounds`);
    const results: SizeResult[] = [];
    for (const n of options.sizes) {
      const result: SizeResult = { n, lans: lanCount(n), emunet: [], floor: [] };
      results.push(result);
      for (let round = 1; round <= options.rounds; round++) {
        signal.throwIfAborted();
        const e = await emunetRound(ctx, `${LAB_PREFIX}${n}-r${round}`, n);
        result.emunet.push(e);
        signal.throwIfAborted();
        const f = await floorRound(image, `n${n}-r${round}`, n);
        result.floor.push(f);
        log(`N=${n} round ${round}: emunet deploy ${(e.deployMs / 1000).toFixed(2)} s destroy ${(e.destroyMs / 1000).toFixed(2)} s | floor run ${(f.createMs / 1000).toFixed(2)} s rm ${(f.removeMs / 1000).toFixed(2)} s`);
      }
    }
    const summaries = results.map(summarize);
    return { report: render(summaries, image), figures: { image, rounds: options.rounds, sizes: summaries } };
  },
}).then((code) => { process.exitCode = code; });
