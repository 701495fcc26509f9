import { writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { MEASUREMENT_COLUMNS, type Measurement } from './measurement.js';

export function measurementsCsv(rows: Measurement[]): string {
  return stringify(rows, { header: true, columns: MEASUREMENT_COLUMNS as string[] });
}

export async function writeMeasurementsCsv(path: string, rows: Measurement[]): Promise<void> {
  await writeFile(path, measurementsCsv(rows));
}
