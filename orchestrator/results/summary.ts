import type { ParamValue } from '../topology/types.js';
import type { Measurement } from './measurement.js';

export interface SummaryRow {
  /** The swept values of the parameter point (empty without a sweep). */
  point: Record<string, ParamValue>;
  /** The step that measured it: two steps measure two things (a cold and a warm lookup). */
  step: string;
  node: string;
  peer: string;
  metric: string;
  unit: string;
  n: number;
  min: number;
  p5: number;
  p50: number;
  mean: number;
  p95: number;
  max: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  stddev: number;
  /** Half-width of the 95% confidence interval of the mean: t(0.975, n−1)·s/√n (Student's t: few repetitions are the rule). */
  ci95: number;
  /** What the experiment's `expect:` formula predicts for this metric at this point. */
  expected?: number;
  /** mean / expected. */
  ratio?: number;
}

// Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** t(0.975, df); beyond 30 the table's tail (2.021 at 40, 2.000 at 60, 1.980 at 120, then the normal 1.960). */
export function tQuantile975(df: number): number {
  if (df < 1) return 0;
  if (df <= 30) return T975[df - 1]!;
  return df <= 40 ? 2.021 : df <= 60 ? 2.0 : df <= 120 ? 1.98 : 1.96;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Per (parameter point, step, node, peer, metric): the distribution of the values, in first-seen order. */
export function summarize(rows: Measurement[]): SummaryRow[] {
  const groups = new Map<string, Measurement[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.point, r.step, r.node, r.peer, r.metric, r.unit]);
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((list) => {
    const first = list[0]!;
    const values = list.map((r) => r.value).sort((a, b) => a - b);
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const stddev = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
    return {
      point: first.point,
      step: first.step,
      node: first.node,
      peer: first.peer,
      metric: first.metric,
      unit: first.unit,
      n,
      min: values[0]!,
      p5: percentile(values, 5),
      p50: percentile(values, 50),
      mean,
      p95: percentile(values, 95),
      max: values[n - 1]!,
      stddev,
      ci95: (tQuantile975(n - 1) * stddev) / Math.sqrt(n),
    };
  });
}
