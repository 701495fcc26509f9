import type { ParamValue } from '../topology/types.js';
import type { Measurement } from './measurement.js';

export interface SummaryRow {
  /** The swept values of the parameter point (empty without a sweep). */
  point: Record<string, ParamValue>;
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
  /** Half-width of the 95% confidence interval of the mean (normal approximation, 1.96·s/√n). */
  ci95: number;
  /** What the experiment's `expect:` formula predicts for this metric at this point. */
  expected?: number;
  /** mean / expected. */
  ratio?: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Per (parameter point, node, peer, metric): the distribution of the values, in first-seen order. */
export function summarize(rows: Measurement[]): SummaryRow[] {
  const groups = new Map<string, Measurement[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.point, r.node, r.peer, r.metric, r.unit]);
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
      ci95: (1.96 * stddev) / Math.sqrt(n),
    };
  });
}
