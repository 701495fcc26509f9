// When each step of a repetition starts. Steps run one after another unless they say otherwise:
// `at` starts a step that long after the repetition (or its `parallel` group) began, alongside
// the others; `background` starts it and goes on at once; `parallel` starts its steps together
// and ends with the last; `wait` is a barrier on named steps, or on everything started so far.
// Pure scheduling: what a step does is the caller's `execute`.
import type { FaultStep, ImpairStep, StepDef, WorkloadStep } from '../topology/types.js';

/** A step that does something itself (the others only arrange when things happen). */
export type ActionStep = WorkloadStep | ImpairStep | FaultStep;

export interface ScheduleOptions {
  /** Runs one action; `label` numbers it in the results ("3", "4.2", "w1"). */
  execute(step: ActionStep, label: string): Promise<void>;
  /** Resolves after `ms` (or at once when <= 0); rejects when the experiment is aborted. */
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** Runs `steps` as a sequence; rejects with the first failure (in list order) once all have settled. */
export async function runSequence(steps: StepDef[], o: ScheduleOptions, prefix = ''): Promise<void> {
  const began = o.now();
  const started: Promise<void>[] = [];
  const named = new Map<string, Promise<void>>();
  let cursor = Promise.resolve();
  for (const [i, step] of steps.entries()) {
    const label = `${prefix}${i + 1}`;
    let p: Promise<void>;
    if (step.kind === 'wait') {
      const deps = step.for === 'all' ? [...started] : step.for.map((n) => named.get(n) ?? Promise.resolve());
      // A barrier only waits: a failure of what it waits for is reported once, by that step.
      cursor = cursor.then(() => Promise.allSettled(deps)).then(() => undefined);
      p = cursor;
    } else if (step.at !== undefined) {
      const at = step.at;
      p = o.sleep(began + at - o.now()).then(() => start(step, label, o));
    } else if (step.background === true) {
      p = cursor.then(() => start(step, label, o));
    } else {
      cursor = cursor.then(() => start(step, label, o));
      p = cursor;
    }
    // Settled later, all together: an early failure must not leave the others unobserved.
    p.catch(() => undefined);
    started.push(p);
    if (step.name !== undefined) named.set(step.name, p);
  }
  await firstFailure([...started, cursor]);
}

/** Every step at once (each `at` counted from the group's start); ends when the last one ends. */
async function runParallel(steps: StepDef[], o: ScheduleOptions, prefix: string): Promise<void> {
  const began = o.now();
  const started = steps.map((step, i) => {
    const label = `${prefix}${i + 1}`;
    const p = step.at === undefined ? start(step, label, o) : o.sleep(began + step.at - o.now()).then(() => start(step, label, o));
    p.catch(() => undefined);
    return p;
  });
  await firstFailure(started);
}

function start(step: StepDef, label: string, o: ScheduleOptions): Promise<void> {
  if (step.kind === 'parallel') return runParallel(step.steps, o, `${label}.`);
  if (step.kind === 'wait') return Promise.resolve();
  return o.execute(step, label);
}

async function firstFailure(promises: Promise<void>[]): Promise<void> {
  const outcomes = await Promise.allSettled(promises);
  const failed = outcomes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The action steps of a list, flattened (to count progress). */
export const actionSteps = (steps: StepDef[]): ActionStep[] =>
  steps.flatMap((s) => (s.kind === 'parallel' ? actionSteps(s.steps) : s.kind === 'wait' ? [] : [s]));

/** Every action step by the label its records carry ("3", "4.2", "w1"). */
export function labelledSteps(experiment: { steps: StepDef[]; warmup: StepDef[] }): Map<string, ActionStep> {
  const out = new Map<string, ActionStep>();
  const walk = (steps: StepDef[], prefix: string) =>
    steps.forEach((s, i) => {
      if (s.kind === 'parallel') walk(s.steps, `${prefix}${i + 1}.`);
      else if (s.kind !== 'wait') out.set(`${prefix}${i + 1}`, s);
    });
  walk(experiment.warmup, 'w');
  walk(experiment.steps, '');
  return out;
}
