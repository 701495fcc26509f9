// The library API: one function per verb, each a stage of the pipeline
//   load -> plan -> deploy -> run -> collect -> destroy.
// The CLI is a thin layer over these; so can any script or test be.
import { mkdir, writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import path from 'node:path';
import { deployLab } from './deploy/deploy.js';
import { destroyLab, type DestroyReport } from './deploy/destroy.js';
import { LABEL, labLabels } from './deploy/labels.js';
import { silentReporter, type Lab, type Reporter } from './deploy/lab.js';
import { withExpectations } from './experiment/expect.js';
import { runExperiment, type RunFailure, type RunSink } from './experiment/runner.js';
import { ensureAgentImage, type AgentImage } from './images/agent.js';
import { baseTag } from './images/base.js';
import { writeEventsCsv, writeMeasurementsCsv, writeSummaryCsv } from './results/csv.js';
import { writeManifest, type Manifest } from './results/manifest.js';
import type { Measurement } from './results/measurement.js';
import { summarize, type SummaryRow } from './results/summary.js';
import type { ContainerRuntime, ExecResult, ImageStore } from './runtime/runtime.js';
import type { Env } from './topology/interpolate.js';
import { chooseBackend, type BackendRequest } from './impairment/backend.js';
import { calibrateLab, type CalibrateOptions, type CalibrationRow } from './impairment/calibrate.js';
import { changeImpairment, type ImpairmentEvent, type ImpairTarget } from './impairment/live.js';
import { probeKernel } from './impairment/probe.js';
import type { ImpairmentBackend, ImpairmentChange } from './impairment/spec.js';
import { validateImpairment } from './impairment/validate.js';
import { loadTopology } from './topology/load.js';
import { planLab } from './topology/plan.js';
import type { LabPlan, Topology } from './topology/types.js';
import { emunetVersion } from './version.js';

export interface Context {
  runtime: ContainerRuntime;
  images: ImageStore;
  reporter: Reporter;
  /** Recorded in every object's `emunet.owner` label. */
  owner: string;
  /** Engine calls in flight at once. */
  concurrency: number;
  readyTimeoutMs: number;
  /** Build the base image from the Debian mirror without trying the registry. */
  offline: boolean;
  /** `auto` probes the kernel: netem when it has sch_netem, the userspace delayer otherwise. */
  impairmentBackend: BackendRequest;
  signal?: AbortSignal;
}

export function contextDefaults(runtime: ContainerRuntime & ImageStore, owner: string): Context {
  return { runtime, images: runtime, reporter: silentReporter, owner, concurrency: 8, readyTimeoutMs: 60_000, offline: false, impairmentBackend: 'auto' };
}

/** Loads and validates a topology and plans it against the networks that exist now. */
export async function validate(file: string, env: Env, runtime?: ContainerRuntime, overrides: string[] = []): Promise<{ topology: Topology; plan: LabPlan }> {
  const topology = await loadTopology(file, env, overrides);
  const taken = runtime ? (await runtime.listNetworks()).flatMap((n) => n.subnets) : [];
  return { topology, plan: planLab(topology, { taken }) };
}

export async function buildImages(ctx: Context): Promise<AgentImage> {
  return ensureAgentImage(ctx.images, { offline: ctx.offline, log: (l) => ctx.reporter.info(l) });
}

export async function deploy(topology: Topology, ctx: Context): Promise<Lab> {
  const image = await buildImages(ctx);
  ctx.reporter.done(`images ready (${image.tag}${image.built ? ', just built' : ''})`);
  const taken = (await ctx.runtime.listNetworks()).flatMap((n) => n.subnets);
  const plan = planLab(topology, { taken });
  const impairment = needsImpairment(topology, plan) ? { ...(await pickBackend(plan, image.tag, ctx)), seed: topology.experiment?.seed ?? 1 } : undefined;
  const lab = await deployLab(plan, {
    runtime: ctx.runtime,
    image: image.tag,
    owner: ctx.owner,
    topologyFile: topology.file,
    impairment,
    reporter: ctx.reporter,
    concurrency: ctx.concurrency,
    readyTimeoutMs: ctx.readyTimeoutMs,
    signal: ctx.signal,
  });
  ctx.reporter.done(`deployed lab ${lab.name}: ${lab.nodes.length} nodes, ${lab.networks.length} networks (${(lab.timings.totalMs / 1000).toFixed(1)} s)`);
  return lab;
}

/** Configured impairment, impairment steps, or swept network values all need a backend from the start. */
const needsImpairment = (topology: Topology, plan: LabPlan) =>
  plan.nodes.some((n) => n.interfaces.some((i) => Object.keys(i.impairment).length > 0)) ||
  (topology.experiment?.steps.some((s) => s.kind === 'impair') ?? false) ||
  (topology.experiment?.sweep.some((s) => s.key.startsWith('networks.')) ?? false);

/** Probes the kernel, picks the backend, and checks every interface's impairment fits it, before anything is created. */
async function pickBackend(plan: LabPlan, image: string, ctx: Context): Promise<{ backend: ImpairmentBackend; seeded: boolean }> {
  const { features } = await probeKernel(ctx.runtime, image, ctx.owner);
  const backend = chooseBackend(ctx.impairmentBackend, features);
  for (const node of plan.nodes) {
    for (const i of node.interfaces) {
      try {
        validateImpairment(i.impairment, backend);
      } catch (e) {
        throw new Error(`nodes.${node.name}.networks.${i.network}: ${(e as Error).message}`);
      }
    }
  }
  const why = ctx.impairmentBackend !== 'auto' ? 'as requested' : backend === 'netem' ? 'kernel has sch_netem' : 'sch_netem missing';
  // netem repeats its random choices only where tc and the kernel take a seed; the delayer always does.
  const seeded = backend === 'userspace' || features.netemSeed;
  ctx.reporter.done(`impairments: backend=${backend} (${why})${seeded ? '' : ', netem seeds itself: losses will not repeat exactly'}`);
  return { backend, seeded };
}

/** Changes a running lab's impairment (`emunet impair`); each change is returned with its time. */
export async function impair(lab: string, target: ImpairTarget, change: ImpairmentChange, ctx: Context): Promise<ImpairmentEvent[]> {
  const [any] = await ctx.runtime.listContainers({ [LABEL.lab]: lab });
  if (!any) throw new NotFoundError(`no lab "${lab}" is running (see \`emunet inspect\`)`);
  const deployed = any.labels[LABEL.impairmentBackend];
  // A lab deployed without impairments gets its backend with its first change.
  const backend = deployed === 'netem' || deployed === 'userspace' ? deployed : chooseBackend(ctx.impairmentBackend, (await probeKernel(ctx.runtime, any.image, ctx.owner)).features);
  return changeImpairment(ctx.runtime, lab, target, change, backend);
}

/** Measures each network against its configuration (`emunet calibrate`). */
export async function calibrate(lab: string, ctx: Context, options: CalibrateOptions = { probes: 200, seconds: 3 }): Promise<CalibrationRow[]> {
  ctx.reporter.info(`calibrating lab ${lab}: ${options.probes} probes per network…`);
  return calibrateLab(ctx.runtime, lab, options);
}

export async function destroy(lab: string | undefined, ctx: Context): Promise<DestroyReport> {
  const helper = await baseTag();
  const helperImage = (await ctx.images.imageId(helper)) ? helper : undefined;
  return destroyLab(ctx.runtime, { lab, helperImage, concurrency: ctx.concurrency });
}

export class NotFoundError extends Error {}

export async function exec(lab: string, node: string, argv: string[], ctx: Context, onStdoutLine?: (line: string) => void): Promise<ExecResult> {
  const [container] = await ctx.runtime.listContainers({ [LABEL.lab]: lab, [LABEL.node]: node });
  if (!container) {
    const nodes = (await ctx.runtime.listContainers(labLabels(lab))).map((c) => c.labels[LABEL.node]).sort();
    throw new NotFoundError(nodes.length === 0 ? `no lab "${lab}" is running (see \`emunet inspect\`)` : `lab "${lab}" has no node "${node}"; its nodes are [${nodes.join(', ')}]`);
  }
  return ctx.runtime.exec(container.id, argv, { onStdoutLine });
}

export interface LabSummary {
  lab: string;
  topology: string;
  nodes: { node: string; role: string; state: string; addresses: string[]; container: string }[];
  networks: { network: string; subnet: string }[];
}

/** What is running, from labels alone. */
export async function inspect(lab: string | undefined, ctx: Context): Promise<LabSummary[]> {
  const selector = { [LABEL.lab]: lab ?? (true as const) };
  const [containers, networks] = await Promise.all([ctx.runtime.listContainers(selector), ctx.runtime.listNetworks(selector)]);
  const names = [...new Set([...containers, ...networks].map((o) => o.labels[LABEL.lab]!))].sort();
  return names.map((name) => ({
    lab: name,
    topology: containers.find((c) => c.labels[LABEL.lab] === name)?.labels[LABEL.topology] ?? '',
    nodes: containers
      .filter((c) => c.labels[LABEL.lab] === name)
      .map((c) => ({ node: c.labels[LABEL.node]!, role: c.labels[LABEL.role]!, state: c.state, addresses: (c.labels[LABEL.addresses] ?? '').split(',').filter(Boolean), container: c.name }))
      .sort((a, b) => a.node.localeCompare(b.node)),
    networks: networks
      .filter((n) => n.labels[LABEL.lab] === name)
      .map((n) => ({ network: n.labels[LABEL.network]!, subnet: n.subnets[0] ?? '' }))
      .sort((a, b) => a.network.localeCompare(b.network)),
  }));
}

export class RunFailedError extends Error {
  constructor(override readonly cause: unknown, readonly csv: string) {
    super(`${cause instanceof Error ? cause.message : String(cause)}\n  (measurements taken before the failure are in ${csv})`);
  }
}

export interface RunResult {
  /** Runs whose steps failed; the others completed (manifest status `partial`). */
  failedRuns: RunFailure[];
  dir: string;
  csv: string;
  manifest: string;
  rows: Measurement[];
  summary: SummaryRow[];
}

/** deploy -> experiment -> CSV + manifest -> destroy; destroy happens whatever fails. */
export async function run(topology: Topology, outRoot: string, ctx: Context, options: { calibrate?: boolean } = {}, now: () => Date = () => new Date()): Promise<RunResult> {
  if (!topology.experiment) throw new Error(`${topology.file} has no \`experiment:\` section: nothing to run (use \`emunet deploy\` to only build the lab)`);
  const startedAt = now();
  const runId = startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, '');
  const dir = path.resolve(outRoot, topology.name, runId);
  const lab = await deploy(topology, ctx);
  const sink: RunSink = { rows: [], events: [], failures: [] };
  const rows = sink.rows;
  let failure: unknown;
  let calibration: CalibrationRow[] | undefined;
  try {
    if (options.calibrate) calibration = await calibrate(lab.name, ctx);
    await runExperiment(lab, topology.experiment, sink, { runtime: ctx.runtime, runId, reporter: ctx.reporter, signal: ctx.signal, stepTimeoutMs: 600_000 }, topology.params);
  } catch (e) {
    failure = e;
  } finally {
    // The agents' own logs go with the results: what a node said is often why a figure is odd.
    await mkdir(path.join(dir, 'logs'), { recursive: true });
    await Promise.all(lab.nodes.map(async (n) => writeFile(path.join(dir, 'logs', `${n.name}.log`), await ctx.runtime.logs(n.id, 100_000).catch((e: Error) => `(logs unavailable: ${e.message})\n`))));
    await destroy(lab.name, ctx);
    ctx.reporter.done(`destroyed lab ${lab.name}`);
  }
  const engine = await ctx.runtime.info();
  const csv = path.join(dir, 'measurements.csv');
  const manifestPath = path.join(dir, 'manifest.json');
  const sweepKeys = topology.experiment.sweep.map((s) => s.key);
  const summary = withExpectations(summarize(rows), topology);
  await writeMeasurementsCsv(csv, rows, sweepKeys);
  await writeSummaryCsv(path.join(dir, 'summary.csv'), summary, sweepKeys);
  await writeEventsCsv(path.join(dir, 'events.csv'), sink.events);
  if (calibration) await writeFile(path.join(dir, 'calibration.csv'), stringify(calibration, { header: true }));
  const manifest: Manifest = {
    lab: lab.name,
    run_id: runId,
    topology: { file: topology.file, sha256: topology.hash },
    seed: topology.experiment.seed,
    repetitions: topology.experiment.repeat,
    sweep: Object.fromEntries(topology.experiment.sweep.map((s) => [s.key, s.values])),
    image: { tag: lab.image, id: (await ctx.images.imageId(lab.image)) ?? '' },
    emunet_version: emunetVersion,
    docker: { version: engine.version, api_version: engine.apiVersion },
    kernel: engine.kernel,
    impairment_backend: lab.impairmentBackend,
    impairment_seeded: lab.impairmentSeeded,
    started_at: startedAt.toISOString(),
    ended_at: now().toISOString(),
    measurements: rows.length,
    status: failure !== undefined ? 'failed' : sink.failures.length > 0 ? 'partial' : 'complete',
    failed_runs: sink.failures,
    ...(failure === undefined ? {} : { error: failure instanceof Error ? failure.message : String(failure) }),
    ...(calibration ? { calibration } : {}),
    files: { measurements: 'measurements.csv', summary: 'summary.csv', events: 'events.csv', ...(calibration ? { calibration: 'calibration.csv' } : {}) },
  };
  await writeManifest(manifestPath, manifest);
  // A failed run still keeps what it measured: the rows are written, then the failure reported.
  if (failure !== undefined) throw new RunFailedError(failure, csv);
  ctx.reporter.done(`${csv} (${rows.length} rows)`);
  return { dir, csv, manifest: manifestPath, rows, summary, failedRuns: sink.failures };
}
