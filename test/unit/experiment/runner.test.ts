import { describe, expect, it } from 'vitest';
import { deployLab } from '../../../orchestrator/deploy/deploy.js';
import { silentReporter } from '../../../orchestrator/deploy/lab.js';
import { runExperiment, workloadArgv, type RunFailure } from '../../../orchestrator/experiment/runner.js';
import { deriveSeed } from '../../../orchestrator/experiment/seeds.js';
import type { Measurement } from '../../../orchestrator/results/measurement.js';
import { FakeRuntime } from '../../support/fake-runtime.js';
import { linePlan } from '../../support/plans.js';

const record = (value: number) => JSON.stringify({ type: 'record', metric: 'udp_rtt', value, unit: 'ms', peer: 'r1', time: 0 });

async function labOn(rt: FakeRuntime) {
  return deployLab(linePlan, { runtime: rt, image: 'i', owner: 'o', topologyFile: 'f', reporter: silentReporter, concurrency: 2, readyTimeoutMs: 1000 });
}
const opts = (rt: FakeRuntime) => ({ runtime: rt, runId: 'run1', reporter: silentReporter, stepTimeoutMs: 1000 });

describe('runExperiment', () => {
  it('runs each step of each repetition in the named node, with a per-repetition seed', async () => {
    const rt = new FakeRuntime();
    const seen: string[][] = [];
    rt.execHandler = (spec, argv) => {
      seen.push([spec.labels['emunet.node']!, ...argv]);
      return { exitCode: 0, stdout: `log line\n${record(1)}\n${record(2)}\n`, stderr: '' };
    };
    const lab = await labOn(rt);
    const sink = { rows: [] as Measurement[], events: [], failures: [] as RunFailure[] };
    const rows = sink.rows;
    const step = { kind: 'workload', node: 'h1', run: 'probe', args: { target: 'r1' } } as const;
    await runExperiment(lab, { seed: 42, repeat: 2, steps: [step], sweep: [], expect: {} }, sink, opts(rt));
    expect(seen).toEqual([
      ['h1', ...workloadArgv(step, deriveSeed(42, 1))],
      ['h1', ...workloadArgv(step, deriveSeed(42, 2))],
    ]);
    expect(rows.map((r) => [r.repetition, r.value, r.node, r.run_id])).toEqual([[1, 1, 'h1', 'run1'], [1, 2, 'h1', 'run1'], [2, 1, 'h1', 'run1'], [2, 2, 'h1', 'run1']]);
  });

  it('records a failing run with the agent\'s stderr, keeps what it measured, and goes on with the next run', async () => {
    const rt = new FakeRuntime();
    let calls = 0;
    // Repetition 1: step 1 measures, step 2 fails. Repetition 2: both succeed.
    rt.execHandler = () => (++calls === 2 ? { exitCode: 1, stdout: '', stderr: 'connect ECONNREFUSED' } : { exitCode: 0, stdout: record(calls), stderr: '' });
    const lab = await labOn(rt);
    const sink = { rows: [] as Measurement[], events: [], failures: [] as RunFailure[] };
    await runExperiment(lab, { seed: 1, repeat: 2, sweep: [], expect: {}, steps: [{ kind: 'workload', node: 'h1', run: 'probe', args: {} }, { kind: 'workload', node: 'r1', run: 'probe', args: {} }] }, sink, opts(rt));
    expect(sink.failures).toHaveLength(1);
    expect(sink.failures[0]).toMatchObject({ point: 1, repetition: 1 });
    expect(sink.failures[0]!.error).toMatch(/step 2 \(probe on r1\) failed with exit code 1:\n\s+connect ECONNREFUSED/);
    expect(sink.rows.map((r) => [r.repetition, r.value])).toEqual([[1, 1], [2, 3], [2, 4]]);
  });

  it('stops at Ctrl-C instead of going on', async () => {
    const rt = new FakeRuntime();
    const abort = new AbortController();
    rt.execHandler = () => { abort.abort(new Error('interrupted by SIGINT')); return { exitCode: 0, stdout: record(1), stderr: '' }; };
    const lab = await labOn(rt);
    const sink = { rows: [] as Measurement[], events: [], failures: [] as RunFailure[] };
    await expect(runExperiment(lab, { seed: 1, repeat: 3, sweep: [], expect: {}, steps: [{ kind: 'workload', node: 'h1', run: 'probe', args: {} }, { kind: 'workload', node: 'h1', run: 'probe', args: {} }] }, sink, { ...opts(rt), signal: abort.signal })).rejects.toThrow(/SIGINT/);
    expect(sink.rows).toHaveLength(1);
  });
});

describe('seeds', () => {
  it('are derived deterministically and differ between repetitions', () => {
    expect(deriveSeed(42, 1)).toBe(deriveSeed(42, 1));
    expect(deriveSeed(42, 1)).not.toBe(deriveSeed(42, 2));
    expect(deriveSeed(42, 1)).not.toBe(deriveSeed(43, 1));
  });
});

describe('timed and impairment steps', () => {
  it('starts a step with `at` alongside the running ones, and records impairment changes with their time', async () => {
    const rt = new FakeRuntime();
    const started = Date.now();
    const log: [string, number][] = [];
    rt.execHandler = (spec, argv) => {
      const what = argv[2] === 'impair' ? `impair ${JSON.parse(argv[3]!).target ?? '*'}` : `workload ${spec.labels['emunet.node']}`;
      log.push([what, Date.now() - started]);
      if (argv[2] === 'impair') return { exitCode: 0, stdout: JSON.stringify({ node: spec.labels['emunet.node'], network: 'a', impairment: { delayUs: 5000 } }), stderr: '' };
      return { exitCode: 0, stdout: record(1), stderr: '' };
    };
    const lab = { ...(await labOn(rt)), impairmentBackend: 'userspace' as const };
    const sink = { rows: [] as Measurement[], events: [] as never[], failures: [] };
    await runExperiment(lab, {
      seed: 1,
      repeat: 1,
      sweep: [], expect: {},
      steps: [
        { kind: 'workload', node: 'h1', run: 'probe', args: {} },
        { kind: 'impair', at: 60, network: 'a', change: { set: { delayUs: 5000 } } },
      ],
    }, sink, opts(rt));
    expect(log[0]![0]).toBe('workload h1');
    // Every member of network a hears of the change (h1 and r1), at about 60 ms.
    expect(log.slice(1).map(([w]) => w)).toEqual(['impair *', 'impair *']);
    expect(log[1]![1]).toBeGreaterThanOrEqual(55);
    expect(sink.events).toHaveLength(2);
    expect(sink.events[0]).toMatchObject({ network: 'a', repetition: 1, step: 2, impairment: { delayUs: 5000 } });
  });

  it('refuses impairment steps in a lab deployed without a backend', async () => {
    const rt = new FakeRuntime();
    const lab = await labOn(rt);
    const sink = { rows: [], events: [], failures: [] as RunFailure[] };
    await runExperiment(lab, { seed: 1, repeat: 1, sweep: [], expect: {}, steps: [{ kind: 'impair', network: 'a', change: { reset: true } }] }, sink, opts(rt));
    expect(sink.failures[0]!.error).toMatch(/without an impairment backend/);
  });
});
