// Reads a results directory back into typed values. The JSON files (plan.json, summary.json)
// are the typed inputs; the CSVs are read for what only they hold (every raw value, the
// events), and summary.csv stands in for summary.json in directories written before it existed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../results/manifest.js';
import type { SummaryRow } from '../results/summary.js';
import type { LabPlan } from '../topology/types.js';
import { csvRecords, typedPoint } from '../results/csv-read.js';
import type { RawValue, Sweep } from './charts.js';

/** One row of events.csv, by column name (its columns changed as emunet grew; the report shows what is there). */
export type EventRecord = Record<string, string>;

export interface Results {
  dir: string;
  manifest: Manifest;
  summary: SummaryRow[];
  /** Undefined for results written before plan.json existed: the report then has no topology. */
  plan?: LabPlan;
  raw: RawValue[];
  events: EventRecord[];
  /** Files the report would have used but did not find (said in the report, not hidden). */
  missing: string[];
}

export class ResultsDirError extends Error {}

export async function readResults(dir: string): Promise<Results> {
  const text = (name: string) => readFile(path.join(dir, name), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  const manifestText = await text('manifest.json');
  if (manifestText === undefined) throw new ResultsDirError(`${dir} has no manifest.json: expected a results directory written by \`emunet run\` (results/<lab>/<run-id>/)`);
  const manifest = parseManifest(manifestText, dir);
  const sweep: Sweep = manifest.sweep;
  const missing: string[] = [];
  const [planText, summaryJson, summaryCsv, measurementsCsv, eventsCsv] = await Promise.all(['plan.json', 'summary.json', 'summary.csv', 'measurements.csv', 'events.csv'].map(text));
  let summary: SummaryRow[] = [];
  if (summaryJson !== undefined) summary = JSON.parse(summaryJson) as SummaryRow[];
  else if (summaryCsv !== undefined) summary = csvRecords(summaryCsv).map((r) => summaryFromCsv(r, sweep));
  else missing.push('summary.json');
  if (planText === undefined) missing.push('plan.json');
  if (measurementsCsv === undefined) missing.push('measurements.csv');
  return {
    dir,
    manifest,
    summary,
    ...(planText === undefined ? {} : { plan: JSON.parse(planText) as LabPlan }),
    // Warmup records are kept in the CSV but are no part of the figures, as in summary.csv.
    raw: measurementsCsv === undefined ? [] : csvRecords(measurementsCsv).filter((r) => r.phase !== 'warmup').map((r) => rawFromCsv(r, sweep)),
    events: eventsCsv === undefined ? [] : csvRecords(eventsCsv),
    missing,
  };
}

/** The fields the report reads must be there; optional ones older manifests lack get their empty value. */
function parseManifest(text: string, dir: string): Manifest {
  const m = JSON.parse(text) as Partial<Manifest>;
  if (typeof m.lab !== 'string' || typeof m.run_id !== 'string') throw new ResultsDirError(`${path.join(dir, 'manifest.json')} has no "lab" and "run_id": not a manifest written by \`emunet run\``);
  return { ...m, sweep: m.sweep ?? {}, failed_runs: m.failed_runs ?? [] } as Manifest;
}

const num = (s: string | undefined) => (s === undefined || s === '' ? NaN : Number(s));

function summaryFromCsv(r: Record<string, string>, sweep: Sweep): SummaryRow {
  const stat = (k: string) => num(r[k]);
  return {
    point: typedPoint(r, sweep), step: r.step ?? '', node: r.node ?? '', peer: r.peer ?? '', metric: r.metric ?? '', unit: r.unit ?? '',
    n: stat('n'), min: stat('min'), p5: stat('p5'), p50: stat('p50'), mean: stat('mean'), p95: stat('p95'), max: stat('max'), stddev: stat('stddev'), ci95: stat('ci95'),
    ...(r.expected ? { expected: stat('expected') } : {}),
    ...(r.ratio ? { ratio: stat('ratio') } : {}),
  };
}

function rawFromCsv(r: Record<string, string>, sweep: Sweep): RawValue {
  return { point: typedPoint(r, sweep), step: r.step ?? '', node: r.node ?? '', peer: r.peer ?? '', metric: r.metric ?? '', unit: r.unit ?? '', value: num(r.value) };
}
