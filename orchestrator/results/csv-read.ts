// Reading results back (resume, report): CSV rows keyed by header, swept values typed again.
import { parse } from 'csv-parse/sync';
import type { ParamValue } from '../topology/types.js';

/** Rows as objects keyed by the header row; blank lines are no records. */
export const csvRecords = (text: string): Record<string, string>[] => parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];

/** A run's swept values from its CSV cells, typed as the sweep lists them ("20ms" stays a string, 5 a number). */
export function typedPoint(row: Record<string, string>, sweep: Record<string, ParamValue[]>): Record<string, ParamValue> {
  return Object.fromEntries(Object.entries(sweep).map(([key, values]) => [key, values.find((v) => String(v) === row[key]) ?? row[key] ?? '']));
}
