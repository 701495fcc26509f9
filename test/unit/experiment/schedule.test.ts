import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runSequence, type ActionStep } from '../../../orchestrator/experiment/schedule.js';
import type { StepDef } from '../../../orchestrator/topology/types.js';

// Virtual time: each workload "runs" for the ms in its args; the log says when each step started
// and ended, so the schedule's rules are checked exactly, without real sleeps.
const work = (name: string, ms: number, extra: Partial<StepDef> = {}): StepDef => ({ kind: 'workload', node: 'h', run: 'w', args: { name, ms }, ...extra }) as StepDef;

async function schedule(steps: StepDef[], fail: string[] = []) {
  const t0 = Date.now();
  const log: string[] = [];
  const execute = async (step: ActionStep, label: string) => {
    const { name, ms } = (step as unknown as { args: { name: string; ms: number } }).args;
    log.push(`${Date.now() - t0} start ${name} (${label})`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`${Date.now() - t0} end ${name}`);
    if (fail.includes(name)) throw new Error(`${name} failed`);
  };
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
  const done = runSequence(steps, { execute, sleep, now: () => Date.now() }).then(() => 'ok', (e: Error) => e.message);
  await vi.runAllTimersAsync();
  return { log, outcome: await done };
}

describe('step schedule', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs plain steps one after another', async () => {
    const { log } = await schedule([work('a', 10), work('b', 5)]);
    expect(log).toEqual(['0 start a (1)', '10 end a', '10 start b (2)', '15 end b']);
  });

  it('starts `at` steps at their offset, alongside the sequence', async () => {
    const { log } = await schedule([work('long', 100), work('fault', 1, { at: 30 })]);
    expect(log).toEqual(['0 start long (1)', '30 start fault (2)', '31 end fault', '100 end long']);
  });

  it('starts a parallel group together, numbers its steps 1.1, 1.2, and goes on after the last', async () => {
    const { log } = await schedule([{ kind: 'parallel', steps: [work('a', 20), work('b', 50), work('c', 5, { at: 10 })] }, work('next', 1)]);
    expect(log).toEqual(['0 start a (1.1)', '0 start b (1.2)', '10 start c (1.3)', '15 end c', '20 end a', '50 end b', '50 start next (2)', '51 end next']);
  });

  it('goes on at once after a background step, and `wait` joins it', async () => {
    const { log } = await schedule([work('server', 40, { background: true, name: 'srv' }), work('client', 10), { kind: 'wait', for: ['srv'] }, work('after', 1)]);
    expect(log).toEqual(['0 start server (1)', '0 start client (2)', '10 end client', '40 end server', '40 start after (4)', '41 end after']);
  });

  it('`wait: all` also waits for timed steps started before it', async () => {
    const { log } = await schedule([work('a', 5), work('late', 10, { at: 20 }), { kind: 'wait', for: 'all' }, work('b', 1)]);
    expect(log).toEqual(['0 start a (1)', '5 end a', '20 start late (2)', '30 end late', '30 start b (4)', '31 end b']);
  });

  it('stops the sequence at a failure, lets started steps end, and reports the first failure', async () => {
    const { log, outcome } = await schedule([work('bg', 30, { background: true }), work('bad', 10), work('never', 1)], ['bad']);
    expect(outcome).toBe('bad failed');
    expect(log).toEqual(['0 start bg (1)', '0 start bad (2)', '10 end bad', '30 end bg']);
  });
});
