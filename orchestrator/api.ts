// The library API: one function per verb, each a stage of the pipeline
//   load -> plan -> deploy -> run -> collect -> destroy.
// The CLI is a thin layer over these; so can any script or test be.
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import os from 'node:os';
import path from 'node:path';
import { destroyLab, type DestroyReport } from './deploy/destroy.js';
import { deployTopology } from './deploy/from-topology.js';
import { LABEL, labLabels } from './deploy/labels.js';
import { silentReporter, type Lab, type Reporter } from './deploy/lab.js';
import { withExpectations } from './experiment/expect.js';
import { labSession } from './experiment/labs.js';
import { filterRuns, planRuns } from './experiment/plan.js';
import { runExperiment, type RunFailure } from './experiment/runner.js';
import { startCapture, type CaptureTarget, type RunningCapture } from './capture/capture.js';
import { remainingRuns, ResultsWriter } from './results/writer.js';
import { ensureAgentImage, type AgentImage } from './images/agent.js';
import { baseTag } from './images/base.js';
import { writeSummaryCsv } from './results/csv.js';
import { writeManifest, type Manifest } from './results/manifest.js';
import type { Measurement } from './results/measurement.js';
import { summarize, type SummaryRow } from './results/summary.js';
import { topologyGraph, writeReport, type GraphFormat } from './report/index.js';
import type { ContainerRuntime, ExecResult, ImageStore } from './runtime/runtime.js';
import type { Env } from './topology/interpolate.js';
import { chooseBackend, type BackendRequest } from './impairment/backend.js';
import { calibrateLab, type CalibrateOptions, type CalibrationRow } from './impairment/calibrate.js';
import { changeImpairment, type ImpairmentEvent, type ImpairTarget } from './impairment/live.js';
import { probeKernel } from './impairment/probe.js';
import type { ImpairmentChange } from './impairment/spec.js';
import { loadTopology } from './topology/load.js';
import { planLab } from './topology/plan.js';
import type { LabPlan, Topology } from './topology/types.js';
import type { Cluster } from './swarm/cluster.js';
import { mapLimit } from './util/pool.js';
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
  /** `--engine swarm`: the hosts a lab may span; `runtime` is then `cluster.runtime`. */
  cluster?: Cluster;
}

/**
 * Engine calls in flight: the engine's work per container is CPU-bound (and so is each agent's
 * start), so more than a few per core only queues; 8 keeps a 2-core machine's engine busy.
 */
export function engineConcurrency(cpus = os.availableParallelism()): number {
  return Math.min(32, Math.max(8, 4 * cpus));
}

export function contextDefaults(runtime: ContainerRuntime & ImageStore, owner: string): Context {
  return { runtime, images: runtime, reporter: silentReporter, owner, concurrency: engineConcurrency(), readyTimeoutMs: 60_000, offline: false, impairmentBackend: 'auto' };
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

/** Builds the images, plans the lab around the engine's networks, and deploys it (deploy/from-topology.ts). */
export async function deploy(topology: Topology, ctx: Context): Promise<Lab> {
  return deployTopology(topology, await buildImages(ctx), ctx);
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

/**
 * Records a node's traffic (one network's interface, or all of them) to a pcap file on the host
 * until `until` resolves (a duration, Ctrl-C). Returns the file's size.
 */
export async function capture(lab: string, node: string, network: string | undefined, file: string, until: Promise<void>, ctx: Context): Promise<number> {
  const [container] = await ctx.runtime.listContainers({ [LABEL.lab]: lab, [LABEL.node]: node });
  if (!container) {
    const nodes = (await ctx.runtime.listContainers(labLabels(lab))).map((c) => c.labels[LABEL.node]).sort();
    throw new NotFoundError(nodes.length === 0 ? `no lab "${lab}" is running (see \`emunet inspect\`)` : `lab "${lab}" has no node "${node}"; its nodes are [${nodes.join(', ')}]`);
  }
  let address: string | undefined;
  if (network !== undefined) {
    const interfaces = (container.labels[LABEL.addresses] ?? '').split(',').filter(Boolean).map((a) => a.split('='));
    address = interfaces.find(([n]) => n === network)?.[1]?.split('/')[0];
    if (address === undefined) throw new NotFoundError(`node "${node}" is not on network "${network}"; it is on [${interfaces.map(([n]) => n).join(', ')}]`);
  }
  const running = await startCapture(ctx.runtime, { id: container.id, node, ...(network === undefined ? {} : { network, address }) }, file);
  ctx.reporter.info(`capturing on ${node}${network ? `:${network}` : ' (every interface)'} to ${file}… (Ctrl-C to stop)`);
  await until.catch(() => undefined);
  return running.stop();
}

export interface LabSummary {
  lab: string;
  topology: string;
  nodes: { node: string; role: string; state: string; addresses: string[]; container: string; /** With `stats`: bytes in use. */ memoryBytes?: number }[];
  networks: { network: string; subnet: string }[];
}

/**
 * What is running, from labels alone; with `stats`, each running container's memory too.
 * An object with only the lab label (made by hand, or by an older emunet) is listed by its name.
 */
export async function inspect(lab: string | undefined, ctx: Context, options: { stats?: boolean } = {}): Promise<LabSummary[]> {
  const selector = { [LABEL.lab]: lab ?? (true as const) };
  const [containers, networks] = await Promise.all([ctx.runtime.listContainers(selector), ctx.runtime.listNetworks(selector)]);
  const names = [...new Set([...containers, ...networks].map((o) => o.labels[LABEL.lab]!))].sort();
  const memory = new Map<string, number>();
  if (options.stats) {
    await mapLimit(containers.filter((c) => c.state === 'running'), ctx.concurrency, async (c) => memory.set(c.name, await ctx.runtime.memoryUsage(c.id)));
  }
  const withMemory = <T extends { container: string }>(n: T) => (memory.has(n.container) ? { ...n, memoryBytes: memory.get(n.container)! } : n);
  return names.map((name) => ({
    lab: name,
    topology: containers.find((c) => c.labels[LABEL.lab] === name)?.labels[LABEL.topology] ?? '',
    nodes: containers
      .filter((c) => c.labels[LABEL.lab] === name)
      .map((c) => ({ node: c.labels[LABEL.node] ?? c.name, role: c.labels[LABEL.role] ?? '', state: c.state, addresses: (c.labels[LABEL.addresses] ?? '').split(',').filter(Boolean), container: c.name }))
      .map(withMemory)
      .sort((a, b) => a.node.localeCompare(b.node)),
    networks: networks
      .filter((n) => n.labels[LABEL.lab] === name)
      .map((n) => ({ network: n.labels[LABEL.network] ?? n.name, subnet: n.subnets[0] ?? '' }))
      .sort((a, b) => a.network.localeCompare(b.network)),
  }));
}

/** Writes (or rewrites) report.html in a results directory (`emunet report`); returns its path. */
export async function report(dir: string): Promise<string> {
  return writeReport(path.resolve(dir));
}

/** The planned lab as a Mermaid or Graphviz DOT graph, or an SVG drawing (`emunet graph`). */
export function graph(plan: LabPlan, format: GraphFormat): string {
  return topologyGraph(plan, format);
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
  /** report.html, unless writing it failed (then the reporter said why). */
  report?: string;
}

export interface RunRequest {
  /** Measure every network against its configuration before the experiment. */
  calibrate?: boolean;
  /** `KEY=VALUE[,VALUE…]`: only the runs that match (see filterRuns). */
  filter?: string[];
  /** A results directory of an earlier, interrupted run of the same topology: do what is left. */
  resume?: string;
}

/**
 * deploy -> experiment -> results -> destroy. Results are written run by run, so a failure or
 * Ctrl-C loses nothing measured; destroy happens whatever fails.
 */
export async function run(topology: Topology, outRoot: string, ctx: Context, request: RunRequest = {}, now: () => Date = () => new Date()): Promise<RunResult> {
  const experiment = topology.experiment;
  if (!experiment) throw new Error(`${topology.file} has no \`experiment:\` section: nothing to run (use \`emunet deploy\` to only build the lab)`);
  const startedAt = now();
  const planned = filterRuns(planRuns(experiment), request.filter ?? [], experiment.sweep);
  const { dir, runId, writer } = request.resume ? await resumeDir(request.resume, topology) : await newDir(outRoot, topology, startedAt);
  const runs = remainingRuns(planned, writer.completed());
  if (request.resume) ctx.reporter.info(`resuming ${dir}: ${writer.runs.length} runs done, ${runs.length} to go`);
  const manifestPath = path.join(dir, 'manifest.json');
  const baseManifest = { lab: topology.name, run_id: runId, topology: { file: topology.file, sha256: topology.hash }, seed: experiment.seed, repetitions: experiment.repeat, sweep: Object.fromEntries(experiment.sweep.map((s) => [s.key, s.values])), filter: request.filter ?? [], emunet_version: emunetVersion };
  await writeFile(manifestPath, JSON.stringify({ ...baseManifest, status: 'running', started_at: startedAt.toISOString() }, null, 2) + '\n');

  let lastLab: Lab | undefined;
  const captures: RunningCapture[] = [];
  const labs = labSession(experiment.reuseLab, {
    deploy: async (index) => {
      const lab = await deploy(topology, ctx);
      lastLab = lab;
      const sub = experiment.reuseLab ? '' : `lab-${index}`;
      if (experiment.capture.length > 0) await mkdir(path.join(dir, 'pcap', sub), { recursive: true });
      for (const target of captureTargets(lab, experiment.capture)) {
        captures.push(await startCapture(ctx.runtime, target, path.join(dir, 'pcap', sub, `${target.node}-${target.network ?? 'any'}.pcap`)));
      }
      return lab;
    },
    retire: async (lab, index) => {
      for (const c of captures.splice(0)) await c.stop().catch((e: Error) => ctx.reporter.info(`capture ${c.file}: ${e.message}`));
      // The agents' own logs go with the results: what a node said is often why a figure is odd.
      const logs = path.join(dir, 'logs', experiment.reuseLab ? '' : `lab-${index}`);
      await mkdir(logs, { recursive: true });
      await Promise.all(lab.nodes.map(async (n) => writeFile(path.join(logs, `${n.name}.log`), await ctx.runtime.logs(n.id, 100_000).catch((e: Error) => `(logs unavailable: ${e.message})\n`))));
      await destroy(lab.name, ctx);
      ctx.reporter.done(`destroyed lab ${lab.name}`);
    },
  });

  let failure: unknown;
  let failures: RunFailure[] = [];
  let calibration: CalibrationRow[] | undefined;
  try {
    if (request.calibrate && runs[0]) calibration = await calibrate((await labs.acquire(runs[0])).lab.name, ctx);
    failures = await runExperiment(experiment, runs, writer, {
      runtime: ctx.runtime, runId, reporter: ctx.reporter, labs, params: topology.params, stepTimeoutMs: 600_000, signal: ctx.signal,
      onRunEnd: (outcome) => writer.runEnded(outcome, runId),
    });
  } catch (e) {
    failure = e;
  } finally {
    await writer.flush();
    await labs.close();
  }
  const csv = path.join(dir, 'measurements.csv');
  const rows = writer.rows;
  const summary = withExpectations(summarize(rows.filter((r) => r.phase === 'measure')), topology);
  await writeSummaryCsv(path.join(dir, 'summary.csv'), summary, experiment.sweep.map((s) => s.key));
  // Typed copies for the report (and any script): CSV would lose the types of swept values.
  await writeFile(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  // A resumed run that deployed nothing keeps the plan.json of its first session.
  if (lastLab) await writeFile(path.join(dir, 'plan.json'), JSON.stringify(lastLab.plan, null, 2) + '\n');
  const hasPlan = await access(path.join(dir, 'plan.json')).then(() => true, () => false);
  if (calibration) await writeFile(path.join(dir, 'calibration.csv'), stringify(calibration, { header: true }));
  const engine = await ctx.runtime.info();
  const image = lastLab?.image ?? '';
  const manifest: Manifest = {
    ...baseManifest,
    image: { tag: image, id: image ? ((await ctx.images.imageId(image)) ?? '') : '' },
    docker: { version: engine.version, api_version: engine.apiVersion },
    kernel: engine.kernel,
    impairment_backend: lastLab?.impairmentBackend ?? 'none',
    impairment_seeded: lastLab?.impairmentSeeded ?? false,
    reuse_lab: experiment.reuseLab,
    labs_deployed: labs.deployed,
    started_at: startedAt.toISOString(),
    ended_at: now().toISOString(),
    runs: { planned: planned.length, complete: writer.runs.filter((r) => r.status === 'complete').length, failed: writer.runs.filter((r) => r.status === 'failed').length },
    measurements: rows.length,
    status: failure !== undefined ? 'failed' : failures.length > 0 ? 'partial' : 'complete',
    failed_runs: failures,
    ...(failure === undefined ? {} : { error: failure instanceof Error ? failure.message : String(failure) }),
    ...(calibration ? { calibration } : {}),
    files: {
      measurements: 'measurements.csv', summary: 'summary.csv', events: 'events.csv', runs: 'runs.csv', logs: 'logs/', summary_json: 'summary.json',
      ...(hasPlan ? { plan: 'plan.json' } : {}),
      ...(calibration ? { calibration: 'calibration.csv' } : {}),
      ...(experiment.capture.length > 0 ? { pcap: 'pcap/' } : {}),
    },
  };
  await writeManifest(manifestPath, manifest);
  if (failure === undefined) ctx.reporter.done(`${csv} (${rows.length} rows)`);
  const report = await runReport(dir, manifestPath, manifest, ctx);
  // A failed run still keeps what it measured: the rows and the report are written, then the failure reported.
  if (failure !== undefined) throw new RunFailedError(failure, csv);
  return { dir, csv, manifest: manifestPath, rows, summary, failedRuns: failures, ...(report ? { report } : {}) };
}

/** report.html from the files just written; its failure is said, and never costs the results. */
async function runReport(dir: string, manifestPath: string, manifest: Manifest, ctx: Context): Promise<string | undefined> {
  try {
    const file = await writeReport(dir);
    // Listed only once it exists: the manifest names files that are there.
    await writeManifest(manifestPath, { ...manifest, files: { ...manifest.files, report: path.basename(file) } });
    ctx.reporter.done(`report: ${file}`);
    return file;
  } catch (e) {
    ctx.reporter.info(`report.html not written: ${e instanceof Error ? e.message : String(e)} (the CSVs and manifest are complete; retry with \`emunet report ${dir}\`)`);
    return undefined;
  }
}

async function newDir(outRoot: string, topology: Topology, startedAt: Date): Promise<{ dir: string; runId: string; writer: ResultsWriter }> {
  const runId = startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, '');
  const dir = path.resolve(outRoot, topology.name, runId);
  await mkdir(dir, { recursive: true });
  return { dir, runId, writer: new ResultsWriter(dir, topology.experiment?.sweep ?? []) };
}

/** An earlier results directory, if it was written by this very topology (same hash, same --set values). */
async function resumeDir(dirArg: string, topology: Topology): Promise<{ dir: string; runId: string; writer: ResultsWriter }> {
  const dir = path.resolve(dirArg);
  const text = await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => {
    throw new NotFoundError(`--resume ${dirArg}: no manifest.json there; expected a results directory written by \`emunet run\` (results/LAB/RUN_ID)`);
  });
  const previous = JSON.parse(text) as { run_id: string; topology: { sha256: string; file: string } };
  if (previous.topology.sha256 !== topology.hash) {
    throw new Error(`--resume ${dirArg}: it was written by a different topology (${previous.topology.file}, sha256 ${previous.topology.sha256.slice(0, 12)}…; now ${topology.hash.slice(0, 12)}…). Resume with the same file, environment and --set values, or start a new run`);
  }
  return { dir, runId: previous.run_id, writer: await ResultsWriter.resume(dir, topology.experiment?.sweep ?? []) };
}

/** The interfaces `capture:` names, on the deployed lab. */
function captureTargets(lab: Lab, targets: { node: string; network?: string }[]): CaptureTarget[] {
  return targets.map(({ node, network }) => {
    const n = lab.nodes.find((x) => x.name === node)!;
    const address = network === undefined ? undefined : n.interfaces.find((i) => i.network === network)?.address;
    return { id: n.id, node, ...(network === undefined ? {} : { network, address }) };
  });
}
