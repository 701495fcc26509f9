import { describe, expect, it } from 'vitest';
import { deployLab } from '../../../orchestrator/deploy/deploy.js';
import { silentReporter } from '../../../orchestrator/deploy/lab.js';
import { labSession } from '../../../orchestrator/experiment/labs.js';
import { planRuns } from '../../../orchestrator/experiment/plan.js';
import { runExperiment, workloadArgv } from '../../../orchestrator/experiment/runner.js';
import { deriveSeed } from '../../../orchestrator/experiment/seeds.js';
import type { ExperimentDef } from '../../../orchestrator/topology/types.js';
import { experimentDef, MemorySink, oneLab } from '../../support/experiment.js';
import { FakeRuntime } from '../../support/fake-runtime.js';
import { linePlan } from '../../support/plans.js';

const record = (value: number) => JSON.stringify({ type: 'record', metric: 'udp_rtt', value, unit: 'ms', peer: 'r1', time: 0 });

async function labOn(rt: FakeRuntime) {
  return deployLab(linePlan, { runtime: rt, image: 'i', owner: 'o', topologyFile: 'f', reporter: silentReporter, concurrency: 2, readyTimeoutMs: 1000 });
}

async function run(rt: FakeRuntime, experiment: ExperimentDef, extra: { signal?: AbortSignal; backend?: 'userspace' } = {}) {
  const lab = { ...(await labOn(rt)), ...(extra.backend ? { impairmentBackend: extra.backend } : {}) };
  const sink = new MemorySink();
  const failures = await runExperiment(experiment, planRuns(experiment), sink, { runtime: rt, runId: 'run1', reporter: silentReporter, labs: oneLab(lab), params: {}, stepTimeoutMs: 1000, signal: extra.signal });
  return { sink, failures };
}

describe('runExperiment', () => {
  it('runs each step of each repetition in the named node, with a per-repetition seed', async () => {
    const rt = new FakeRuntime();
    const seen: string[][] = [];
    rt.execHandler = (spec, argv) => {
      seen.push([spec.labels['emunet.node']!, ...argv]);
      return { exitCode: 0, stdout: `log line\n${record(1)}\n${record(2)}\n`, stderr: '' };
    };
    const step = { kind: 'workload', node: 'h1', run: 'probe', args: { target: 'r1' } } as const;
    const { sink } = await run(rt, experimentDef({ seed: 42, repeat: 2, steps: [step] }));
    expect(seen).toEqual([
      ['h1', ...workloadArgv(step, deriveSeed(42, 1))],
      ['h1', ...workloadArgv(step, deriveSeed(42, 2))],
    ]);
    expect(sink.rows.map((r) => [r.repetition, r.value, r.node, r.run_id, r.step, r.phase])).toEqual([[1, 1, 'h1', 'run1', '1', 'measure'], [1, 2, 'h1', 'run1', '1', 'measure'], [2, 1, 'h1', 'run1', '1', 'measure'], [2, 2, 'h1', 'run1', '1', 'measure']]);
    expect(sink.events.map((e) => `${e.repetition}:${e.step}:${e.event}`)).toEqual(['1::run-start', '1:1:step-start', '1:1:step-end', '1::run-end', '2::run-start', '2:1:step-start', '2:1:step-end', '2::run-end']);
  });

  it('records a failing run with the agent\'s stderr, keeps what it measured, and goes on with the next run', async () => {
    const rt = new FakeRuntime();
    let calls = 0;
    // Repetition 1: step 1 measures, step 2 fails. Repetition 2: both succeed.
    rt.execHandler = () => (++calls === 2 ? { exitCode: 1, stdout: '', stderr: 'connect ECONNREFUSED' } : { exitCode: 0, stdout: record(calls), stderr: '' });
    const { sink, failures } = await run(rt, experimentDef({ repeat: 2, steps: [{ kind: 'workload', node: 'h1', run: 'probe', args: {} }, { kind: 'workload', node: 'r1', run: 'probe', args: {} }] }));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ point: 1, repetition: 1 });
    expect(failures[0]!.error).toMatch(/step 2 \(probe on r1\) failed with exit code 1:\n\s+connect ECONNREFUSED/);
    expect(sink.rows.map((r) => [r.repetition, r.value])).toEqual([[1, 1], [2, 3], [2, 4]]);
    expect(sink.events.filter((e) => e.event === 'step-failed' || e.event === 'run-failed').map((e) => `${e.repetition}:${e.step}:${e.event}`)).toEqual(['1:2:step-failed', '1::run-failed']);
  });

  it('stops at Ctrl-C instead of going on', async () => {
    const rt = new FakeRuntime();
    const abort = new AbortController();
    rt.execHandler = () => { abort.abort(new Error('interrupted by SIGINT')); return { exitCode: 0, stdout: record(1), stderr: '' }; };
    const steps = [{ kind: 'workload', node: 'h1', run: 'probe', args: {} }, { kind: 'workload', node: 'h1', run: 'probe', args: {} }] as const;
    const sink = new MemorySink();
    const lab = await labOn(rt);
    const experiment = experimentDef({ repeat: 3, steps: [...steps] });
    await expect(runExperiment(experiment, planRuns(experiment), sink, { runtime: rt, runId: 'r', reporter: silentReporter, labs: oneLab(lab), params: {}, stepTimeoutMs: 1000, signal: abort.signal })).rejects.toThrow(/SIGINT/);
    expect(sink.rows).toHaveLength(1);
  });

  it('marks warmup records, labels them w1, w2…, and runs them before the steps of every repetition', async () => {
    const rt = new FakeRuntime();
    const order: string[] = [];
    rt.execHandler = (_spec, argv) => { order.push(JSON.parse(argv[4]!).label as string); return { exitCode: 0, stdout: record(1), stderr: '' }; };
    const w = (label: string) => ({ kind: 'workload', node: 'h1', run: 'probe', args: { label } }) as const;
    const { sink } = await run(rt, experimentDef({ repeat: 2, warmup: [w('fill')], steps: [w('measure')] }));
    expect(order).toEqual(['fill', 'measure', 'fill', 'measure']);
    expect(sink.rows.map((r) => `${r.step}:${r.phase}`)).toEqual(['w1:warmup', '1:measure', 'w1:warmup', '1:measure']);
  });

  it('gives every run a fresh lab when reuse-lab is false, retiring the previous one first', async () => {
    const rt = new FakeRuntime();
    rt.execHandler = () => ({ exitCode: 0, stdout: record(1), stderr: '' });
    const life: string[] = [];
    const lab = await labOn(rt);
    const labs = labSession(false, { deploy: async (i) => { life.push(`deploy ${i}`); return lab; }, retire: async (_l, i) => { life.push(`retire ${i}`); } });
    const experiment = experimentDef({ repeat: 3, reuseLab: false, steps: [{ kind: 'workload', node: 'h1', run: 'probe', args: {} }] });
    await runExperiment(experiment, planRuns(experiment), new MemorySink(), { runtime: rt, runId: 'r', reporter: silentReporter, labs, params: {}, stepTimeoutMs: 1000 });
    await labs.close();
    expect(life).toEqual(['deploy 1', 'retire 1', 'deploy 2', 'retire 2', 'deploy 3', 'retire 3']);
    expect(labs.deployed).toBe(3);
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
      const request = argv[2] === 'impair' ? JSON.parse(argv[3]!) : undefined;
      const what = request ? `impair ${request.target ?? '*'}` : `workload ${spec.labels['emunet.node']}`;
      // (The run's re-seeding of every link, a change of nothing, is not what this test follows.)
      if (!request || Object.keys(request.change.set ?? {}).length > 0) log.push([what, Date.now() - started]);
      if (argv[2] === 'impair') return { exitCode: 0, stdout: JSON.stringify({ node: spec.labels['emunet.node'], network: 'a', impairment: { delayUs: 5000 } }), stderr: '' };
      return { exitCode: 0, stdout: record(1), stderr: '' };
    };
    const { sink } = await run(rt, experimentDef({
      steps: [
        { kind: 'workload', node: 'h1', run: 'probe', args: {} },
        { kind: 'impair', at: 60, network: 'a', change: { set: { delayUs: 5000 } } },
      ],
    }), { backend: 'userspace' });
    expect(log[0]![0]).toBe('workload h1');
    // Every member of network a hears of the change (h1 and r1), at about 60 ms.
    expect(log.slice(1).map(([w]) => w)).toEqual(['impair *', 'impair *']);
    expect(log[1]![1]).toBeGreaterThanOrEqual(55);
    const changes = sink.events.filter((e) => e.event === 'impair');
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({ network: 'a', repetition: 1, step: '2' });
    expect(JSON.parse(changes[0]!.detail)).toMatchObject({ impairment: { delayUs: 5000 } });
  });

  it('re-seeds every joined network\'s links with the run\'s seed before each run', async () => {
    const rt = new FakeRuntime();
    const seeds: [string, number][] = [];
    rt.execHandler = (spec, argv) => {
      if (argv[2] !== 'impair') return { exitCode: 0, stdout: record(1), stderr: '' };
      const request = JSON.parse(argv[3]!);
      seeds.push([`${spec.labels['emunet.node']}:${request.network}`, request.seed]);
      return { exitCode: 0, stdout: JSON.stringify({ node: spec.labels['emunet.node'], network: request.network }), stderr: '' };
    };
    await run(rt, experimentDef({ seed: 5, repeat: 2, steps: [{ kind: 'workload', node: 'h1', run: 'probe', args: {} }] }), { backend: 'userspace' });
    const perRun = seeds.length / 2;
    expect(perRun).toBeGreaterThan(0);
    expect(new Set(seeds.slice(0, perRun).map(([, s]) => s))).toEqual(new Set([deriveSeed(5, 1)]));
    expect(new Set(seeds.slice(perRun).map(([, s]) => s))).toEqual(new Set([deriveSeed(5, 2)]));
  });

  it('refuses impairment steps in a lab deployed without a backend', async () => {
    const { failures } = await run(new FakeRuntime(), experimentDef({ steps: [{ kind: 'impair', network: 'a', change: { reset: true } }] }));
    expect(failures[0]!.error).toMatch(/without an impairment backend/);
  });
});
