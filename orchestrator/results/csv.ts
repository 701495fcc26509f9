import { writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { MEASUREMENT_COLUMNS, type Measurement } from './measurement.js';

export function measurementsCsv(rows: Measurement[]): string {
  return stringify(rows, { header: true, columns: MEASUREMENT_COLUMNS as string[] });
}

export async function writeMeasurementsCsv(path: string, rows: Measurement[]): Promise<void> {
  await writeFile(path, measurementsCsv(rows));
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
