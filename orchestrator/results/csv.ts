import { writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { MEASUREMENT_COLUMNS, type Measurement } from './measurement.js';
import type { SummaryRow } from './summary.js';

/** One column per swept parameter, named as written (e.g. `networks.wan.delay`), after `seed`. */
export function measurementsCsv(rows: Measurement[], sweepKeys: string[] = []): string {
  const columns = [...MEASUREMENT_COLUMNS.slice(0, 4), ...sweepKeys, ...MEASUREMENT_COLUMNS.slice(4)];
  return stringify(rows.map((r) => ({ ...r.point, ...r })), { header: true, columns });
}

export async function writeMeasurementsCsv(path: string, rows: Measurement[], sweepKeys: string[] = []): Promise<void> {
  await writeFile(path, measurementsCsv(rows, sweepKeys));
}

export interface EventRow {
  run_id: string;
  repetition: number;
  step: number;
  time: string;
  lab: string;
  node: string;
  network: string;
  change: object;
  impairment: object;
}

/** Every impairment change of a run, timestamped, one row per interface it touched. */
export async function writeEventsCsv(path: string, events: EventRow[]): Promise<void> {
  const rows = events.map((e) => ({ ...e, change: JSON.stringify(e.change), impairment: JSON.stringify(e.impairment) }));
  await writeFile(path, stringify(rows, { header: true, columns: ['lab', 'run_id', 'repetition', 'step', 'time', 'node', 'network', 'change', 'impairment'] }));
}

/** summary.csv: one row per parameter point, node, peer and metric. */
export async function writeSummaryCsv(path: string, rows: SummaryRow[], sweepKeys: string[]): Promise<void> {
  const columns = [...sweepKeys, 'node', 'peer', 'metric', 'unit', 'n', 'mean', 'stddev', 'ci95', 'min', 'p5', 'p50', 'p95', 'max', 'expected', 'ratio'];
  await writeFile(path, stringify(rows.map((r) => ({ ...r.point, ...r })), { header: true, columns }));
}
