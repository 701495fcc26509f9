// What each action step does to a running lab: exec a workload and collect its records, change
// impairments, inject a fault. Every action is timestamped in the run's events.
import type { Lab } from '../deploy/lab.js';
import { waitReady } from '../deploy/ready.js';
import { changeImpairment } from '../impairment/live.js';
import { AgentOutputError, parseRecord, type Measurement, type Phase } from '../results/measurement.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { FaultStep, ImpairStep, ParamValue, WorkloadStep } from '../topology/types.js';
import { resolveParams, type PlannedRun } from './plan.js';
import type { ActionStep } from './schedule.js';

/** A timestamped happening in a run: a step starting or ending, an impairment change, a fault. */
export interface RunEvent {
  time: string;
  lab: string;
  run_id: string;
  point: number;
  repetition: number;
  /** The step's label ("3", "4.2" inside a parallel group, "w1" for warmup); '' for the run itself. */
  step: string;
  event: 'run-start' | 'run-end' | 'run-failed' | 'step-start' | 'step-end' | 'step-failed' | 'impair' | ActionFault;
  node: string;
  network: string;
  /** JSON: the workload and its args, the change and what the interface has now, the error. */
  detail: string;
}

type ActionFault = FaultStep['action'];

export interface RunSink {
  measurement(m: Measurement): void;
  event(e: RunEvent): void;
}

export class StepFailedError extends Error {}

/** The command the orchestrator execs in a node to run a workload (the agent's CLI). */
export const workloadArgv = (step: WorkloadStep, seed: number) => ['node', '/opt/emunet/agent.mjs', 'workload', step.run, JSON.stringify({ ...step.args, seed })];

export interface ActionContext {
  lab: Lab;
  runtime: ContainerRuntime;
  run: PlannedRun;
  runId: string;
  phase: Phase;
  params: Record<string, ParamValue>;
  sink: RunSink;
  stepTimeoutMs: number;
  signal?: AbortSignal;
}

/** Runs one action step, with `step-start` / `step-end` (or `step-failed`) events around it. */
export async function runAction(step: ActionStep, label: string, c: ActionContext): Promise<void> {
  c.signal?.throwIfAborted();
  const node = 'node' in step && step.node !== undefined ? step.node : '';
  const network = step.kind === 'impair' ? step.network : '';
  const event = (kind: RunEvent['event'], detail: unknown) =>
    c.sink.event({ time: new Date().toISOString(), lab: c.lab.name, run_id: c.runId, point: c.run.point, repetition: c.run.repetition, step: label, event: kind, node, network, detail: detail === '' ? '' : JSON.stringify(detail) });
  event('step-start', step.kind === 'workload' ? { run: step.run, args: resolveParams(step.args, c.params) } : step.kind === 'fault' ? { fault: step.action } : { change: step.change });
  try {
    if (step.kind === 'workload') await runWorkload(step, label, c);
    else if (step.kind === 'impair') await runImpair(step, label, c);
    else await runFault(step, label, c);
  } catch (e) {
    event('step-failed', { error: e instanceof Error ? e.message : String(e) });
    throw e;
  }
  event('step-end', '');
}

function nodeOf(lab: Lab, name: string, label: string) {
  const node = lab.nodes.find((n) => n.name === name);
  if (!node) throw new StepFailedError(`step ${label}: node "${name}" is not in lab ${lab.name}`);
  return node;
}

async function runWorkload(step: WorkloadStep, label: string, c: ActionContext): Promise<void> {
  const node = nodeOf(c.lab, step.node, label);
  const ctx = { lab: c.lab.name, run_id: c.runId, point: c.run.values, repetition: c.run.repetition, seed: c.run.seed, step: label, phase: c.phase, workload: step.run, node: step.node, impairment_backend: c.lab.impairmentBackend };
  const args = resolveParams(step.args, c.params) as Record<string, unknown>;
  const parseErrors: AgentOutputError[] = [];
  const result = await c.runtime.exec(node.id, workloadArgv({ ...step, args }, c.run.seed), {
    timeoutMs: c.stepTimeoutMs,
    onStdoutLine: (line) => {
      try {
        const m = parseRecord(line, ctx);
        if (m) c.sink.measurement(m);
      } catch (e) {
        parseErrors.push(e as AgentOutputError);
      }
    },
  });
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n').slice(-8).join('\n  ');
    throw new StepFailedError(`step ${label} (${step.run} on ${step.node}) failed with exit code ${result.exitCode}:\n  ${why}`);
  }
  if (parseErrors[0]) throw parseErrors[0];
}

async function runImpair(step: ImpairStep, label: string, c: ActionContext): Promise<void> {
  if (c.lab.impairmentBackend === 'none') throw new StepFailedError(`step ${label}: lab ${c.lab.name} was deployed without an impairment backend`);
  const changes = await changeImpairment(c.runtime, c.lab.name, { network: step.network, node: step.node }, step.change, c.lab.impairmentBackend);
  for (const e of changes) {
    c.sink.event({ time: e.time, lab: c.lab.name, run_id: c.runId, point: c.run.point, repetition: c.run.repetition, step: label, event: 'impair', node: e.node, network: e.network, detail: JSON.stringify({ change: e.change, impairment: e.impairment }) });
  }
}

/** Kill, pause, resume or restart a node; a restarted node counts only once its agent is ready again. */
async function runFault(step: FaultStep, label: string, c: ActionContext): Promise<void> {
  const node = nodeOf(c.lab, step.node, label);
  const since = Date.now() / 1000;
  await c.runtime.control(node.id, step.action === 'resume' ? 'unpause' : step.action);
  if (step.action === 'restart') await waitReady(c.runtime, [{ node: node.name, id: node.id }], RESTART_READY_MS, c.signal, since);
  c.sink.event({ time: new Date().toISOString(), lab: c.lab.name, run_id: c.runId, point: c.run.point, repetition: c.run.repetition, step: label, event: step.action, node: node.name, network: '', detail: '' });
}

const RESTART_READY_MS = 60_000;
