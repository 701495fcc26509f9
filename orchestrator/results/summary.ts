import type { Measurement } from './measurement.js';

export interface SummaryRow {
  node: string;
  peer: string;
  metric: string;
  unit: string;
  n: number;
  min: number;
  p50: number;
  mean: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Per (node, peer, metric): the distribution of the values, in first-seen order. */
export function summarize(rows: Measurement[]): SummaryRow[] {
  const groups = new Map<string, Measurement[]>();
  for (const r of rows) {
    const key = `${r.node}\u0000${r.peer}\u0000${r.metric}\u0000${r.unit}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((list) => {
    const first = list[0]!;
    const values = list.map((r) => r.value).sort((a, b) => a - b);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return { node: first.node, peer: first.peer, metric: first.metric, unit: first.unit, n: values.length, min: values[0]!, p50: percentile(values, 50), mean, p95: percentile(values, 95), max: values[values.length - 1]! };
  });
}
