// The experiment loop: for every planned run, get a lab (reused, or fresh), apply the point's
// swept network values when the point changes, run the warmup steps then the steps, and hand
// the run's outcome to the caller so results are flushed run by run.
import type { Lab, Reporter } from '../deploy/lab.js';
import { changeImpairment } from '../impairment/live.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { ExperimentDef, ParamValue, StepDef } from '../topology/types.js';
import { runAction, StepFailedError, type RunSink } from './actions.js';
import { networkSettings, type ParameterPoint, type PlannedRun } from './plan.js';
import { actionSteps, runSequence, type ActionStep } from './schedule.js';

export { StepFailedError, workloadArgv, type RunEvent, type RunSink } from './actions.js';

/** A run that failed: the experiment goes on with the next one, and the failure is kept. */
export interface RunFailure {
  point: number;
  values: ParameterPoint;
  repetition: number;
  seed: number;
  error: string;
}

export interface RunOutcome {
  run: PlannedRun;
  startedAt: Date;
  endedAt: Date;
  /** Undefined when the run completed. */
  error?: string;
}

/** Where runs get their lab: one lab for all (`reuse-lab`), or a fresh one per run. */
export interface LabProvider {
  /** `fresh`: just deployed, so its links have the topology's values. */
  acquire(run: PlannedRun): Promise<{ lab: Lab; fresh: boolean }>;
}

export interface RunOptions {
  runtime: ContainerRuntime;
  runId: string;
  reporter: Reporter;
  labs: LabProvider;
  /** Values of `${params.NAME}` before the point's sweep overrides them. */
  params: Record<string, ParamValue>;
  /** Longest a single workload may run. */
  stepTimeoutMs: number;
  /** Called after each run, completed or failed, before the next starts. */
  onRunEnd?(outcome: RunOutcome): Promise<void>;
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * Runs `runs` (a plan, maybe filtered or resumed) in order. A run whose step fails is returned
 * among the failures (with the agent's stderr) and the next run starts; Ctrl-C (the signal)
 * ends the whole experiment.
 */
export async function runExperiment(experiment: ExperimentDef, runs: PlannedRun[], sink: RunSink, o: RunOptions): Promise<RunFailure[]> {
  const now = o.now ?? Date.now;
  const failures: RunFailure[] = [];
  const perRun = actionSteps(experiment.warmup).length + actionSteps(experiment.steps).length;
  const total = runs.length * perRun;
  const points = new Set(runs.map((r) => r.point)).size;
  const began = now();
  let done = 0;
  let appliedPoint: number | undefined;
  for (const [k, run] of runs.entries()) {
    const { lab, fresh } = await o.labs.acquire(run);
    if (run.point !== appliedPoint && Object.keys(run.values).length > 0) o.reporter.info(`point ${run.point}: ${describePoint(run.values)}`);
    await prepareLinks(lab, run, fresh || run.point !== appliedPoint, o);
    appliedPoint = run.point;
    const params = { ...o.params, ...pointParams(run.values) };
    const eta = k === 0 ? '' : ` · ETA ${formatDuration(((now() - began) / k) * (runs.length - k))}`;
    const where = `run ${k + 1}/${runs.length}${points > 1 ? ` (point ${run.point}, rep ${run.repetition})` : ''}`;
    const execute = (phase: 'warmup' | 'measure') => async (step: ActionStep, label: string) => {
      o.reporter.progress(`${where} step ${label}: ${describe(step)}${eta}`, done, total);
      try {
        await runAction(step, label, { lab, runtime: o.runtime, run, runId: o.runId, phase, params, sink, stepTimeoutMs: o.stepTimeoutMs, signal: o.signal });
      } finally {
        done++;
      }
    };
    const startedAt = new Date();
    const runEvent = (event: 'run-start' | 'run-end' | 'run-failed', detail = '') =>
      sink.event({ time: new Date().toISOString(), lab: lab.name, run_id: o.runId, point: run.point, repetition: run.repetition, step: '', event, node: '', network: '', detail });
    runEvent('run-start', JSON.stringify({ seed: run.seed, ...run.values }));
    const schedule = (phase: 'warmup' | 'measure') => ({ execute: execute(phase), sleep: (ms: number) => sleep(ms, o.signal), now });
    let error: string | undefined;
    try {
      await runSequence(experiment.warmup, schedule('warmup'), 'w');
      await runSequence(experiment.steps, schedule('measure'));
      runEvent('run-end');
    } catch (e) {
      // Ctrl-C ends the experiment; a failing workload only ends its own run.
      o.signal?.throwIfAborted();
      error = e instanceof Error ? e.message : String(e);
      failures.push({ point: run.point, values: run.values, repetition: run.repetition, seed: run.seed, error });
      runEvent('run-failed', JSON.stringify({ error }));
      o.reporter.info(`run ${k + 1} failed (point ${run.point}, repetition ${run.repetition}): ${error.split('\n')[0]}`);
    }
    done = (k + 1) * perRun;
    await o.onRunEnd?.({ run, startedAt, endedAt: new Date(), ...(error === undefined ? {} : { error }) });
  }
  o.reporter.progress('experiment', done, total);
  return failures;
}

const describe = (step: ActionStep) =>
  step.kind === 'workload' ? `${step.run} on ${step.node}` : step.kind === 'fault' ? `${step.action} ${step.node}` : `impair ${step.node ? `${step.node}:` : ''}${step.network}`;

export const describePoint = (values: ParameterPoint) => Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ');

/** `params.NAME` sweep values, as the names steps use. */
const pointParams = (values: ParameterPoint) =>
  Object.fromEntries(Object.entries(values).filter(([k]) => k.startsWith('params.')).map(([k, v]) => [k.slice('params.'.length), v]));

/**
 * Before each run: a new point's swept network values go on top of the topology's own (one
 * reset-then-set, so nothing lingers), and every link's random choices (loss, jitter) are
 * re-seeded from the run's seed, so a run decides the same whether it runs after others, alone
 * (`--filter`) or in a resumed session.
 */
async function prepareLinks(lab: Lab, run: PlannedRun, newPoint: boolean, o: RunOptions): Promise<void> {
  const swept = networkSettings(run.values);
  if (lab.impairmentBackend === 'none') {
    const [network] = swept.keys();
    if (network !== undefined) throw new StepFailedError(`sweeping networks.${network}: lab ${lab.name} was deployed without an impairment backend`);
    return;
  }
  const backend = lab.impairmentBackend;
  const joined = lab.networks.filter(({ name }) => lab.nodes.some((n) => n.interfaces.some((i) => i.network === name)));
  await Promise.all(
    joined.map(({ name }) => {
      const set = swept.get(name);
      const change = newPoint && set !== undefined ? { reset: true as const, set } : { set: {} };
      return changeImpairment(o.runtime, lab.name, { network: name }, change, backend, run.seed);
    }),
  );
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}

/** Every step of an experiment that needs a given kind, warmup and parallel groups included. */
export const allActions = (experiment: ExperimentDef): ActionStep[] => actionSteps([...experiment.warmup, ...experiment.steps] as StepDef[]);
