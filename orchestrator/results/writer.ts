// A results directory that grows run by run: each finished run appends its measurements,
// events and a line in runs.csv, so an interrupted experiment leaves everything it measured
// readable, and `--resume DIR` knows which runs are done (runs.csv) and keeps their rows.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { RunEvent, RunOutcome } from '../experiment/runner.js';
import type { ParameterPoint, PlannedRun } from '../experiment/plan.js';
import type { SweepDef } from '../topology/types.js';
import { measurementsCsv } from './csv.js';
import { csvRecords, typedPoint } from './csv-read.js';
import type { Measurement } from './measurement.js';

export const EVENT_COLUMNS: (keyof RunEvent)[] = ['lab', 'run_id', 'point', 'repetition', 'step', 'time', 'event', 'node', 'network', 'detail'];

export interface RunRecord {
  run_id: string;
  point: number;
  values: ParameterPoint;
  repetition: number;
  seed: number;
  status: 'complete' | 'failed';
  started_at: string;
  ended_at: string;
  error: string;
}

/** Identifies a run across sessions (resume): its point's values and its repetition. */
export const runKey = (values: ParameterPoint, repetition: number) => JSON.stringify([values, repetition]);

export class ResultsWriter {
  readonly rows: Measurement[] = [];
  readonly events: RunEvent[] = [];
  readonly runs: RunRecord[] = [];
  private pendingRows: Measurement[] = [];
  private pendingEvents: RunEvent[] = [];
  /** Files whose header is written. */
  private readonly started = new Set<string>();
  private readonly sweepKeys: string[];

  constructor(readonly dir: string, sweep: SweepDef[]) {
    this.sweepKeys = sweep.map((s) => s.key);
  }

  measurement(m: Measurement): void {
    this.pendingRows.push(m);
  }

  event(e: RunEvent): void {
    this.pendingEvents.push(e);
  }

  /** Appends the run's rows and events and its line in runs.csv. */
  async runEnded(outcome: RunOutcome, runId: string): Promise<void> {
    await this.flush();
    const { run } = outcome;
    const record: RunRecord = {
      run_id: runId, point: run.point, values: run.values, repetition: run.repetition, seed: run.seed,
      status: outcome.error === undefined ? 'complete' : 'failed', started_at: outcome.startedAt.toISOString(), ended_at: outcome.endedAt.toISOString(), error: outcome.error ?? '',
    };
    this.runs.push(record);
    await this.append('runs.csv', 1, (header) => stringify([{ ...run.values, ...record }], { header, columns: this.runColumns }));
  }

  /** Writes what arrived since the last run ended (also for a run cut short by Ctrl-C). */
  async flush(): Promise<void> {
    const rows = this.pendingRows.splice(0);
    const events = this.pendingEvents.splice(0);
    await this.append('measurements.csv', rows.length, (header) => measurementsCsv(rows, this.sweepKeys, header));
    await this.append('events.csv', events.length, (header) => stringify(events, { header, columns: EVENT_COLUMNS }));
    this.rows.push(...rows);
    this.events.push(...events);
  }

  private get runColumns(): string[] {
    return ['run_id', 'point', ...this.sweepKeys, 'repetition', 'seed', 'status', 'started_at', 'ended_at', 'error'];
  }

  /** The first write of a file (even with no records) gives it its header, so every file is readable. */
  private async append(file: string, count: number, csv: (header: boolean) => string): Promise<void> {
    const header = !this.started.has(file);
    if (count === 0 && !header) return;
    await (header ? writeFile : appendFile)(path.join(this.dir, file), csv(header));
    this.started.add(file);
  }

  /**
   * Reloads a directory written before (`--resume`): completed runs, and the rows and events of
   * those runs only (a run cut short is redone, so its partial rows are dropped).
   */
  static async resume(dir: string, sweep: SweepDef[]): Promise<ResultsWriter> {
    const w = new ResultsWriter(dir, sweep);
    const read = async (file: string) => csvRecords(await readFile(path.join(dir, file), 'utf8').catch(() => ''));
    const values = Object.fromEntries(sweep.map((s) => [s.key, s.values]));
    const pointOf = (r: Record<string, string>) => typedPoint(r, values);
    for (const r of await read('runs.csv')) {
      if (r.status !== 'complete') continue;
      w.runs.push({ run_id: r.run_id ?? '', point: Number(r.point), values: pointOf(r), repetition: Number(r.repetition), seed: Number(r.seed), status: 'complete', started_at: r.started_at ?? '', ended_at: r.ended_at ?? '', error: '' });
    }
    const done = w.completed();
    const pointIndex = new Map(w.runs.map((r) => [JSON.stringify(r.values), r.point]));
    for (const r of await read('measurements.csv')) {
      const point = pointOf(r);
      if (!done.has(runKey(point, Number(r.repetition)))) continue;
      w.rows.push({
        lab: r.lab ?? '', run_id: r.run_id ?? '', point, repetition: Number(r.repetition), seed: Number(r.seed), step: r.step ?? '', phase: r.phase === 'warmup' ? 'warmup' : 'measure',
        workload: r.workload ?? '', node: r.node ?? '', peer: r.peer ?? '', seq: r.seq === undefined || r.seq === '' ? '' : Number(r.seq), metric: r.metric ?? '', value: Number(r.value), unit: r.unit ?? '', detail: r.detail ?? '', timestamp: r.timestamp ?? '', impairment_backend: r.impairment_backend ?? '',
      });
    }
    for (const r of await read('events.csv')) {
      const values = [...pointIndex].find(([, p]) => p === Number(r.point))?.[0];
      if (values === undefined || !done.has(runKey(JSON.parse(values) as ParameterPoint, Number(r.repetition)))) continue;
      w.events.push({ lab: r.lab ?? '', run_id: r.run_id ?? '', point: Number(r.point), repetition: Number(r.repetition), step: r.step ?? '', time: r.time ?? '', event: r.event as RunEvent['event'], node: r.node ?? '', network: r.network ?? '', detail: r.detail ?? '' });
    }
    // Start the files again from what is kept: the partial rows of a cut-short run go.
    await w.rewrite();
    return w;
  }

  /** Keys of the runs that completed. */
  completed(): Set<string> {
    return new Set(this.runs.map((r) => runKey(r.values, r.repetition)));
  }

  private async rewrite(): Promise<void> {
    for (const file of ['measurements.csv', 'events.csv', 'runs.csv']) this.started.add(file);
    await writeFile(path.join(this.dir, 'measurements.csv'), measurementsCsv(this.rows, this.sweepKeys));
    await writeFile(path.join(this.dir, 'events.csv'), stringify(this.events, { header: true, columns: EVENT_COLUMNS }));
    await writeFile(path.join(this.dir, 'runs.csv'), stringify(this.runs.map((r) => ({ ...r.values, ...r })), { header: true, columns: this.runColumns }));
  }
}

/** The runs of a plan still to do. */
export const remainingRuns = (runs: PlannedRun[], done: Set<string>) => runs.filter((r) => !done.has(runKey(r.values, r.repetition)));
