import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planRuns } from '../../../orchestrator/experiment/plan.js';
import type { Measurement } from '../../../orchestrator/results/measurement.js';
import { remainingRuns, ResultsWriter } from '../../../orchestrator/results/writer.js';
import { experimentDef } from '../../support/experiment.js';

const sweep = [{ key: 'networks.wan.delay', values: ['5ms', '20ms'] }, { key: 'params.n', values: [1, 10] }];
const runs = planRuns(experimentDef({ repeat: 2, sweep }));
const row = (run: (typeof runs)[number], value: number): Measurement => ({
  lab: 'l', run_id: 'r', point: run.values, repetition: run.repetition, seed: run.seed, step: '1', phase: 'measure', workload: 'probe', node: 'a', peer: 'b', seq: 3, metric: 'udp_rtt', value, unit: 'ms', detail: 'x,"y"', timestamp: '1970-01-01T00:00:00.000Z', impairment_backend: 'userspace',
});
const ended = (run: (typeof runs)[number], error?: string) => ({ run, startedAt: new Date(0), endedAt: new Date(1000), ...(error ? { error } : {}) });

describe('results written run by run', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'emunet-writer-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('appends each run to measurements.csv and runs.csv, with one header', async () => {
    const w = new ResultsWriter(dir, sweep);
    w.measurement(row(runs[0]!, 1));
    await w.runEnded(ended(runs[0]!), 'r');
    w.measurement(row(runs[1]!, 2));
    await w.runEnded(ended(runs[1]!, 'boom'), 'r');
    const csv = (await readFile(path.join(dir, 'measurements.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('lab,run_id,repetition,seed,networks.wan.delay,params.n,step,phase,workload,node,peer,seq,metric,value,unit,detail,timestamp,impairment_backend');
    expect(csv).toHaveLength(3);
    const ledger = (await readFile(path.join(dir, 'runs.csv'), 'utf8')).trim().split('\n');
    expect(ledger[0]).toBe('run_id,point,networks.wan.delay,params.n,repetition,seed,status,started_at,ended_at,error');
    expect(ledger.slice(1).map((l) => l.split(',').slice(1, 7).join(','))).toEqual([`1,5ms,1,1,${runs[0]!.seed},complete`, `1,5ms,1,2,${runs[1]!.seed},failed`]);
  });

  it('resumes: keeps complete runs with their typed values, drops a cut-short run\'s rows, and leaves only the rest to do', async () => {
    const w = new ResultsWriter(dir, sweep);
    w.measurement(row(runs[0]!, 1));
    await w.runEnded(ended(runs[0]!), 'r');
    w.measurement(row(runs[1]!, 2));
    await w.runEnded(ended(runs[1]!, 'boom'), 'r');
    w.measurement(row(runs[2]!, 3)); // Ctrl-C: flushed, but the run never ended
    await w.flush();

    const again = await ResultsWriter.resume(dir, sweep);
    expect(again.rows).toEqual([row(runs[0]!, 1)]);
    expect(remainingRuns(runs, again.completed()).map((r) => [r.point, r.repetition])).toEqual([[1, 2], [2, 1], [2, 2], [3, 1], [3, 2], [4, 1], [4, 2]]);
    const csv = (await readFile(path.join(dir, 'measurements.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(2);
    again.measurement(row(runs[1]!, 4));
    await again.runEnded(ended(runs[1]!), 'r');
    expect((await readFile(path.join(dir, 'measurements.csv'), 'utf8')).trim().split('\n')).toHaveLength(3);
  });
});
