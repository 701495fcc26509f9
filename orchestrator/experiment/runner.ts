import type { Lab, Reporter } from '../deploy/lab.js';
import { changeImpairment, type ImpairmentEvent } from '../impairment/live.js';
import { AgentOutputError, parseRecord, type Measurement } from '../results/measurement.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { waitReady } from '../deploy/ready.js';
import type { ExperimentDef, FaultStep, ImpairStep, ParamValue, StepDef, WorkloadStep } from '../topology/types.js';
import { networkSettings, planRuns, resolveParams, type ParameterPoint } from './plan.js';

export interface RunOptions {
  runtime: ContainerRuntime;
  runId: string;
  reporter: Reporter;
  signal?: AbortSignal;
  /** Longest a single workload may run. */
  stepTimeoutMs: number;
}

/** Where a run's results accumulate as they arrive, so a failure loses nothing measured before it. */
/** A timestamped change during a run: an impairment change, or a fault (`change: { fault }`). */
export type RunEvent = Omit<ImpairmentEvent, 'change'> & { change: ImpairmentEvent['change'] | { fault: string }; run_id: string; repetition: number; step: number };

/** A run that failed: the experiment goes on with the next one, and the failure is kept. */
export interface RunFailure {
  point: number;
  values: ParameterPoint;
  repetition: number;
  seed: number;
  error: string;
}

export interface RunSink {
  rows: Measurement[];
  events: RunEvent[];
  failures: RunFailure[];
}

export class StepFailedError extends Error {}

/** The command the orchestrator execs in a node to run a workload (the agent's CLI). */
export const workloadArgv = (step: WorkloadStep, seed: number) => ['node', '/opt/emunet/agent.mjs', 'workload', step.run, JSON.stringify({ ...step.args, seed })];

/**
 * Runs every parameter point `repeat` times on the one lab: between points, the swept network
 * values are applied as impairment changes. A run whose step fails is recorded in
 * `sink.failures` (with the agent's stderr) and the next run starts. Within a repetition, steps without `at` run one
 * after another; a step with `at` starts that long after the repetition began, alongside the
 * others (so an impairment can change in the middle of a running workload).
 */
export async function runExperiment(lab: Lab, experiment: ExperimentDef, sink: RunSink, o: RunOptions, params: Record<string, ParamValue> = {}): Promise<void> {
  const runs = planRuns(experiment);
  const total = runs.length * experiment.steps.length;
  const points = Math.max(...runs.map((r) => r.point));
  let done = 0;
  let currentPoint = 0;
  for (const { point, values, repetition, seed } of runs) {
    if (point !== currentPoint) {
      currentPoint = point;
      if (Object.keys(values).length > 0) o.reporter.info(`point ${point}/${points}: ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      await applyPoint(lab, values, o);
    }
    const pointParams = { ...params, ...Object.fromEntries(Object.entries(values).filter(([k]) => k.startsWith('params.')).map(([k, v]) => [k.slice('params.'.length), v])) };
    const started = Date.now();
    let sequence = Promise.resolve();
    const timed: Promise<void>[] = [];
    for (const [index, step] of experiment.steps.entries()) {
      const runIt = async () => {
        o.signal?.throwIfAborted();
        o.reporter.progress(`${points > 1 ? `point ${point}/${points} ` : ''}rep ${repetition}/${experiment.repeat} step ${index + 1}: ${describe(step)}`, done, total);
        await runStep(lab, step, { repetition, seed, step: index + 1, point: values, params: pointParams }, sink, o);
        done++;
      };
      if (step.at === undefined) sequence = sequence.then(runIt);
      else timed.push(sleep(started + step.at - Date.now(), o.signal).then(runIt));
    }
    const outcomes = await Promise.allSettled([sequence, ...timed]);
    const failed = outcomes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // Ctrl-C ends the experiment; a failing workload only ends its own run.
      o.signal?.throwIfAborted();
      const error = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
      sink.failures.push({ point, values, repetition, seed, error });
      o.reporter.info(`run failed (point ${point}, repetition ${repetition}): ${error.split('\n')[0]}`);
    }
  }
  o.reporter.progress('experiment', done, total);
}

const describe = (step: StepDef) =>
  step.kind === 'workload' ? `${step.run} on ${step.node}` : step.kind === 'fault' ? `${step.action} ${step.node}` : `impair ${step.node ? `${step.node}:` : ''}${step.network}`;

interface StepContext {
  repetition: number;
  seed: number;
  step: number;
  point: ParameterPoint;
  params: Record<string, ParamValue>;
}

/** A point's swept network values, on top of the topology's own (one reset-then-set, so nothing lingers). */
async function applyPoint(lab: Lab, values: ParameterPoint, o: RunOptions): Promise<void> {
  for (const [network, impairment] of networkSettings(values)) {
    if (lab.impairmentBackend === 'none') throw new StepFailedError(`sweeping networks.${network}: lab ${lab.name} was deployed without an impairment backend`);
    await changeImpairment(o.runtime, lab.name, { network }, { reset: true, set: impairment }, lab.impairmentBackend);
  }
}

async function runStep(lab: Lab, step: StepDef, s: StepContext, sink: RunSink, o: RunOptions): Promise<void> {
  if (step.kind === 'impair') return runImpairStep(lab, step, s, sink, o);
  if (step.kind === 'fault') return runFaultStep(lab, step, s, sink, o);
  const node = lab.nodes.find((n) => n.name === step.node);
  if (!node) throw new StepFailedError(`step ${s.step}: node "${step.node}" is not in lab ${lab.name}`);
  const ctx = { lab: lab.name, run_id: o.runId, point: s.point, repetition: s.repetition, seed: s.seed, step: s.step, workload: step.run, node: step.node, impairment_backend: lab.impairmentBackend };
  const args = resolveParams(step.args, s.params) as Record<string, unknown>;
  const parseErrors: AgentOutputError[] = [];
  const result = await o.runtime.exec(node.id, workloadArgv({ ...step, args }, s.seed), {
    timeoutMs: o.stepTimeoutMs,
    onStdoutLine: (line) => {
      try {
        const m = parseRecord(line, ctx);
        if (m) sink.rows.push(m);
      } catch (e) {
        parseErrors.push(e as AgentOutputError);
      }
    },
  });
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n').slice(-8).join('\n  ');
    throw new StepFailedError(`step ${s.step} (${step.run} on ${step.node}) failed with exit code ${result.exitCode}:\n  ${why}`);
  }
  if (parseErrors[0]) throw parseErrors[0];
}

async function runImpairStep(lab: Lab, step: ImpairStep, s: StepContext, sink: RunSink, o: RunOptions): Promise<void> {
  if (lab.impairmentBackend === 'none') throw new StepFailedError(`step ${s.step}: lab ${lab.name} was deployed without an impairment backend`);
  const events = await changeImpairment(o.runtime, lab.name, { network: step.network, node: step.node }, step.change, lab.impairmentBackend);
  sink.events.push(...events.map((e) => ({ ...e, run_id: o.runId, repetition: s.repetition, step: s.step })));
}

/** Kill, pause, resume or restart a node; a restarted node counts only once its agent is ready again. */
async function runFaultStep(lab: Lab, step: FaultStep, s: StepContext, sink: RunSink, o: RunOptions): Promise<void> {
  const node = lab.nodes.find((n) => n.name === step.node);
  if (!node) throw new StepFailedError(`step ${s.step}: node "${step.node}" is not in lab ${lab.name}`);
  const since = Date.now() / 1000;
  await o.runtime.control(node.id, step.action === 'resume' ? 'unpause' : step.action);
  if (step.action === 'restart') await waitReady(o.runtime, [{ node: node.name, id: node.id }], RESTART_READY_MS, o.signal, since);
  sink.events.push({ time: new Date().toISOString(), lab: lab.name, node: node.name, network: '', change: { fault: step.action }, impairment: {}, run_id: o.runId, repetition: s.repetition, step: s.step });
}

const RESTART_READY_MS = 60_000;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}
