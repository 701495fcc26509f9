import { describe, expect, it } from 'vitest';
import { filterRuns, networkSettings, parameterPoints, planRuns, resolveParams } from '../../../orchestrator/experiment/plan.js';
import { experimentDef } from '../../support/experiment.js';
import { deriveSeed } from '../../../orchestrator/experiment/seeds.js';

describe('experiment plan', () => {
  it('expands a sweep into the cartesian product, first key slowest', () => {
    expect(parameterPoints([{ key: 'networks.wan.delay', values: ['10ms', '50ms'] }, { key: 'params.objects', values: [1, 10, 50] }])).toEqual([
      { 'networks.wan.delay': '10ms', 'params.objects': 1 },
      { 'networks.wan.delay': '10ms', 'params.objects': 10 },
      { 'networks.wan.delay': '10ms', 'params.objects': 50 },
      { 'networks.wan.delay': '50ms', 'params.objects': 1 },
      { 'networks.wan.delay': '50ms', 'params.objects': 10 },
      { 'networks.wan.delay': '50ms', 'params.objects': 50 },
    ]);
    expect(parameterPoints([])).toEqual([{}]);
  });

  it('runs every point `repeat` times, each with its own reproducible seed', () => {
    const experiment = experimentDef({ seed: 42, repeat: 3, sweep: [{ key: 'params.n', values: [1, 2, 3] }] });
    const runs = planRuns(experiment);
    expect(runs.map((r) => [r.point, r.repetition])).toEqual([[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3], [3, 1], [3, 2], [3, 3]]);
    expect(new Set(runs.map((r) => r.seed)).size).toBe(9);
    expect(planRuns(experiment)).toEqual(runs);
    // Adding a value to the sweep changes no existing run's seed.
    const wider = planRuns({ ...experiment, sweep: [{ key: 'params.n', values: [1, 2, 3, 4] }] });
    expect(wider.slice(0, 9).map((r) => r.seed)).toEqual(runs.map((r) => r.seed));
  });

  it('keeps the plain repetition seeds when nothing is swept', () => {
    expect(planRuns(experimentDef({ seed: 7, repeat: 2 })).map((r) => r.seed)).toEqual([deriveSeed(7, 1), deriveSeed(7, 2)]);
  });

  it('turns swept network values into impairment settings, per network', () => {
    expect(networkSettings({ 'networks.wan.delay': '20ms', 'networks.wan.loss': '1%', 'networks.lan.rate': '10mbit', 'params.n': 3 })).toEqual(
      new Map([['wan', { delayUs: 20_000, lossPct: 1 }], ['lan', { rateBps: 10_000_000 }]]),
    );
  });

  it('resolves ${params.NAME} in step args, keeping the type of a whole-value reference', () => {
    expect(resolveParams({ count: '${params.n}', label: 'n=${params.n}', list: ['${params.mode}'] }, { n: 20, mode: 'pipelined' })).toEqual({ count: 20, label: 'n=20', list: ['pipelined'] });
    expect(() => resolveParams({ count: '${params.m}' }, { n: 1 })).toThrow(/params\.m.*declared: \[n\]/);
  });

  it('filters runs by swept value, point or repetition, and names what exists when a filter matches nothing', () => {
    const sweep = [{ key: 'networks.wan.delay', values: ['5ms', '20ms', '50ms'] }];
    const runs = planRuns(experimentDef({ repeat: 3, sweep }));
    expect(filterRuns(runs, ['networks.wan.delay=20ms,50ms', 'repetition=1'], sweep).map((r) => [r.point, r.repetition])).toEqual([[2, 1], [3, 1]]);
    expect(filterRuns(runs, ['point=1'], sweep)).toHaveLength(3);
    expect(filterRuns(runs, [], sweep)).toEqual(runs);
    expect(() => filterRuns(runs, ['networks.wan.delay=7ms'], sweep)).toThrow(/no run has "7ms"; its values are \[5ms, 20ms, 50ms\]/);
    expect(() => filterRuns(runs, ['delay=5ms'], sweep)).toThrow(/KEY one of \[point, repetition, networks.wan.delay\]/);
  });
});
