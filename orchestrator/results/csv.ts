import { writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { MEASUREMENT_COLUMNS, type Measurement } from './measurement.js';
import type { SummaryRow } from './summary.js';

/** measurements.csv's columns: one per swept parameter, named as written (e.g. `networks.wan.delay`), after `seed`. */
const measurementColumns = (sweepKeys: string[]): string[] => [...MEASUREMENT_COLUMNS.slice(0, 4), ...sweepKeys, ...MEASUREMENT_COLUMNS.slice(4)];

export function measurementsCsv(rows: Measurement[], sweepKeys: string[] = [], header = true): string {
  return stringify(rows.map((r) => ({ ...r.point, ...r })), { header, columns: measurementColumns(sweepKeys) });
}

/** summary.csv: one row per parameter point, step, node, peer and metric. */
export async function writeSummaryCsv(path: string, rows: SummaryRow[], sweepKeys: string[]): Promise<void> {
  const columns = [...sweepKeys, 'step', 'node', 'peer', 'metric', 'unit', 'n', 'mean', 'stddev', 'ci95', 'min', 'p5', 'p50', 'p95', 'max', 'expected', 'ratio'];
  await writeFile(path, stringify(rows.map((r) => ({ ...r.point, ...r })), { header: true, columns }));
}
