import { describe, expect, it } from 'vitest';
import { measurementsCsv } from '../../../orchestrator/results/csv.js';
import { AgentOutputError, parseRecord } from '../../../orchestrator/results/measurement.js';
import { percentile, summarize, tQuantile975 } from '../../../orchestrator/results/summary.js';

const ctx = { lab: 'hello', run_id: 'r', repetition: 1, seed: 7, step: '1', phase: 'measure' as const, workload: 'probe', node: 'client', impairment_backend: 'none', point: {} };
const line = (o: object) => JSON.stringify({ type: 'record', unit: 'ms', time: 0, ...o });

describe('agent records', () => {
  it('become fully identified measurements', () => {
    expect(parseRecord(line({ metric: 'udp_rtt', value: 1.5, peer: 'server', time: 1000 }), ctx)).toEqual({
      ...ctx, peer: 'server', seq: '', metric: 'udp_rtt', value: 1.5, unit: 'ms', detail: '', timestamp: '1970-01-01T00:00:01.000Z',
    });
  });

  it('ignore log lines and other events', () => {
    expect(parseRecord('probing server…', ctx)).toBeUndefined();
    expect(parseRecord(JSON.stringify({ type: 'ready' }), ctx)).toBeUndefined();
  });

  it('fail loudly when malformed, naming the node, the field and what was expected', () => {
    expect(() => parseRecord(line({ metric: 'udp_rtt', value: 'fast' }), ctx)).toThrow(/client: workload probe emitted a record whose "value" is "fast"; expected a finite number/);
    expect(() => parseRecord('{not json', ctx)).toThrow(AgentOutputError);
  });
});

describe('measurements.csv', () => {
  it('has one header and one row per measurement, in the documented column order', () => {
    const m = parseRecord(line({ metric: 'udp_rtt', value: 0.25, peer: 'server' }), ctx)!;
    const csv = measurementsCsv([m, m]).trim().split('\n');
    expect(csv[0]).toBe('lab,run_id,repetition,seed,step,phase,workload,node,peer,seq,metric,value,unit,detail,timestamp,impairment_backend');
    expect(csv[1]).toBe('hello,r,1,7,1,measure,probe,client,server,,udp_rtt,0.25,ms,,1970-01-01T00:00:00.000Z,none');
    expect(csv).toHaveLength(3);
  });

  it('quotes a detail holding commas, quotes or a newline (RFC 4180)', () => {
    const m = parseRecord(line({ metric: 'dns_latency', value: 3, detail: 'answer=10.0.0.1,10.0.0.2 "x"\nnext' }), ctx)!;
    const csv = measurementsCsv([m]);
    expect(csv).toContain(',"answer=10.0.0.1,10.0.0.2 ""x""\nnext",');
  });
});

describe('summaries', () => {
  it('give the 95% CI of the mean with Student\'s t, by hand: values 10, 12, 14 -> mean 12, s 2, ±4.303·2/√3', () => {
    const rows = [10, 12, 14].map((value) => parseRecord(line({ metric: 'm', value }), ctx)!);
    const [r] = summarize(rows);
    expect(r).toMatchObject({ n: 3, mean: 12, stddev: 2, p50: 12 });
    expect(r!.ci95).toBeCloseTo(4.969, 3);
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(1000)).toBe(1.96);
  });

  it('use nearest-rank percentiles', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(v, 50)).toBe(5);
    expect(percentile(v, 95)).toBe(10);
    expect(percentile([4], 50)).toBe(4);
  });

  it('group by step, node, peer and metric', () => {
    const rows = [3, 1, 2].map((value) => parseRecord(line({ metric: 'udp_rtt', value, peer: 's' }), ctx)!);
    rows.push(parseRecord(line({ metric: 'tcp_rtt', value: 9, peer: 's' }), ctx)!);
    expect(summarize(rows)).toEqual([
      { point: {}, step: '1', node: 'client', peer: 's', metric: 'udp_rtt', unit: 'ms', n: 3, min: 1, p5: 1, p50: 2, mean: 2, p95: 3, max: 3, stddev: 1, ci95: 4.303 / Math.sqrt(3) },
      { point: {}, step: '1', node: 'client', peer: 's', metric: 'tcp_rtt', unit: 'ms', n: 1, min: 9, p5: 9, p50: 9, mean: 9, p95: 9, max: 9, stddev: 0, ci95: 0 },
    ]);
  });
});
