// The deploy benchmarks (`bench:deploy`, `bench:scale`): how much slower is an emunet deploy and
// destroy than the cheapest way Docker can create the same containers on the same networks?
// Both sides run in the same process, on the same engine, alternating per round (order flipped
// every other round), so the ratio is meaningful even where absolute seconds are not.
import * as api from '../api.js';
import { parseTopology } from '../topology/load.js';
import { type FloorSample, type LabShape, floorRound, medianMin, removeFloorLeftovers, shapeTopology, since } from './floor.js';
import { commandLineOptions, runBench, table } from './harness.js';

export interface DeployBench {
  name: string;
  /** Lab names of this bench start with this; nothing else on the engine is ever touched. */
  labPrefix: string;
  /** The lab of N nodes, and one line saying what it is. */
  shape(n: number): LabShape;
  describe: string;
  defaults: { sizes: number[]; rounds: number };
  /** Also report each agent's memory once the lab is ready (as `emunet inspect --stats`). */
  memory: boolean;
}

interface EmunetSample { deployMs: number; destroyMs: number; totalMs: number; networksMs: number; containersMs: number; readyMs: number; outsideLabMs: number; memoryMiB: number[] }
interface SizeResult { n: number; networks: number; emunet: EmunetSample[]; floor: FloorSample[] }

const MiB = 1024 * 1024;

async function emunetRound(ctx: api.Context, lab: string, shape: LabShape, memory: boolean): Promise<EmunetSample> {
  const topology = parseTopology(shapeTopology(lab, shape), '<bench>', {});
  const start = performance.now();
  const deployed = await api.deploy(topology, ctx);
  const deployMs = since(start);
  // Outside the timed part: what each idle agent holds once every one is ready.
  const memoryMiB = memory ? (await api.inspect(lab, ctx, { stats: true }))[0]!.nodes.map((n) => (n.memoryBytes ?? 0) / MiB) : [];
  const destroyStart = performance.now();
  await api.destroy(lab, ctx);
  const destroyMs = since(destroyStart);
  const t = deployed.timings;
  // outsideLabMs: api.deploy's work before deployLab starts (image check + bundle, planning).
  return { deployMs, destroyMs, totalMs: deployMs + destroyMs, networksMs: t.networksMs, containersMs: t.containersMs, readyMs: t.readyMs, outsideLabMs: deployMs - t.totalMs, memoryMiB };
}

function summarize(r: SizeResult) {
  const s = (xs: number[]) => medianMin(xs.map((ms) => ms / 1000));
  const e = { deploy: s(r.emunet.map((x) => x.deployMs)), destroy: s(r.emunet.map((x) => x.destroyMs)), total: s(r.emunet.map((x) => x.totalMs)) };
  const f = { create: s(r.floor.map((x) => x.createMs)), remove: s(r.floor.map((x) => x.removeMs)), total: s(r.floor.map((x) => x.totalMs)) };
  const breakdown = {
    outsideLab: s(r.emunet.map((x) => x.outsideLabMs)).median,
    networks: s(r.emunet.map((x) => x.networksMs)).median,
    containers: s(r.emunet.map((x) => x.containersMs)).median,
    ready: s(r.emunet.map((x) => x.readyMs)).median,
  };
  const ratio = { deploy: e.deploy.median / f.create.median, destroy: e.destroy.median / f.remove.median, total: e.total.median / f.total.median };
  const all = r.emunet.flatMap((x) => x.memoryMiB);
  const memoryMiB = all.length > 0 ? { median: medianMin(all).median, max: Math.max(...all) } : undefined;
  return { n: r.n, networks: r.networks, rounds: r.emunet.length, emunet: e, floor: f, ratio, memoryMiB, emunet_deploy_breakdown_median_s: breakdown, samples_ms: { emunet: r.emunet, floor: r.floor } };
}

function render(bench: DeployBench, summaries: ReturnType<typeof summarize>[], image: string, concurrency: number): string {
  const mm = (x: { min: number; median: number }) => `${x.median.toFixed(2)} (${x.min.toFixed(2)})`;
  const memory = (s: (typeof summaries)[number]) => (s.memoryMiB ? [`${s.memoryMiB.median.toFixed(1)} / ${s.memoryMiB.max.toFixed(1)}`] : []);
  const header = ['N', 'nets', 'emunet deploy', 'floor docker run', 'ratio', 'emunet destroy', 'floor rm', 'ratio', 'emunet total', 'floor total', 'ratio', ...(bench.memory ? ['MiB/agent (median / max)'] : [])];
  const rows = summaries.map((s) => [String(s.n), String(s.networks), mm(s.emunet.deploy), mm(s.floor.create), s.ratio.deploy.toFixed(2), mm(s.emunet.destroy), mm(s.floor.remove), s.ratio.destroy.toFixed(2), mm(s.emunet.total), mm(s.floor.total), s.ratio.total.toFixed(2), ...memory(s)]);
  const breakdown = summaries.map((s) => {
    const b = s.emunet_deploy_breakdown_median_s;
    return `emunet deploy breakdown N=${s.n} (median s): image check+plan ${b.outsideLab.toFixed(2)}, networks ${b.networks.toFixed(2)}, firewall helper+containers ${b.containers.toFixed(2)}, agents ready ${b.ready.toFixed(2)}`;
  });
  return [
    table([header, ...rows]),
    '',
    'cells: median (min) seconds over rounds; ratio = emunet median / floor median.',
    ...breakdown,
    `emunet: ${bench.describe}; api.deploy until every agent logged ready, then api.destroy (${concurrency} engine calls in flight).`,
    ...(bench.memory ? ['MiB/agent: each container\'s memory once all are ready (cgroup usage less inactive file, as `emunet inspect --stats` and `docker stats` show), over all rounds.'] : []),
    `floor: docker network create --internal (10.214.x.0/24) per network, then all N \`docker run -d --cap-add NET_ADMIN --cap-add NET_RAW --entrypoint sleep ${image} infinity\` at once (+ docker network connect per extra network); then for all at once \`docker kill\`, \`docker wait\`, \`docker rm\` (as emunet destroy), then docker network rm.`,
    'measured: wall clock (performance.now) in one process, docker CLI via execa; per N, rounds alternate emunet and floor, the first of the pair flipped each round.',
  ].join('\n');
}

export function runDeployBench(bench: DeployBench): void {
  // A router plus at least one host on each LAN: bench:deploy's shape needs 3 nodes.
  const options = commandLineOptions(bench.name, { sizes: { default: bench.defaults.sizes, min: 3 }, rounds: { default: bench.defaults.rounds, min: 1 } });
  runBench({
    name: bench.name,
    jsonOut: options.jsonOut,
    async cleanup(ctx) {
      await removeFloorLeftovers();
      const labs = (await api.inspect(undefined, ctx)).map((l) => l.lab).filter((name) => name.startsWith(bench.labPrefix));
      for (const lab of labs) await api.destroy(lab, ctx);
    },
    async measure({ ctx, log, signal }) {
      // Built (or found) once up front, so no round pays for an image build.
      const image = (await api.buildImages(ctx)).tag;
      log(`agent image ${image}; sizes ${options.sizes.join(',')}; ${options.rounds} rounds; ${ctx.concurrency} engine calls in flight`);
      const results: SizeResult[] = [];
      for (const n of options.sizes) {
        const shape = bench.shape(n);
        const result: SizeResult = { n, networks: shape.networks.length, emunet: [], floor: [] };
        results.push(result);
        for (let round = 1; round <= options.rounds; round++) {
          const emunet = async () => { signal.throwIfAborted(); result.emunet.push(await emunetRound(ctx, `${bench.labPrefix}${n}-r${round}`, shape, bench.memory)); };
          const floor = async () => { signal.throwIfAborted(); result.floor.push(await floorRound(image, `n${n}-r${round}`, shape)); };
          if (round % 2 === 1) { await emunet(); await floor(); } else { await floor(); await emunet(); }
          const e = result.emunet.at(-1)!;
          const f = result.floor.at(-1)!;
          log(`N=${n} round ${round}: emunet deploy ${(e.deployMs / 1000).toFixed(2)} s destroy ${(e.destroyMs / 1000).toFixed(2)} s | floor run ${(f.createMs / 1000).toFixed(2)} s rm ${(f.removeMs / 1000).toFixed(2)} s`);
        }
      }
      const summaries = results.map(summarize);
      return { report: render(bench, summaries, image, ctx.concurrency), figures: { image, rounds: options.rounds, concurrency: ctx.concurrency, sizes: summaries } };
    },
  }).then((code) => { process.exitCode = code; });
}
