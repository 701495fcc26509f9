import type { ParamValue } from '../topology/types.js';

export type Phase = 'warmup' | 'measure';

/** One row of measurements.csv (DESIGN.md contract 6): one measurement, fully identified. */
export interface Measurement {
  lab: string;
  run_id: string;
  /** The swept values of this run (one CSV column each); empty without a sweep. */
  point: Record<string, ParamValue>;
  repetition: number;
  seed: number;
  /** The step's label: "3", "4.2" inside a parallel group, "w1" for a warmup step. */
  step: string;
  /** `warmup` records are kept but left out of summaries. */
  phase: Phase;
  workload: string;
  node: string;
  peer: string;
  /** The sample's sequence number within its workload ('' when the agent gave none). */
  seq: number | '';
  metric: string;
  value: number;
  unit: string;
  /** Free text the agent attached to the measurement (an answer, an rcode, a path taken); '' when none. */
  detail: string;
  /** ISO 8601 time the agent took the measurement. */
  timestamp: string;
  /** How the lab's links were impaired: netem, userspace, or none. */
  impairment_backend: string;
}

export const MEASUREMENT_COLUMNS: Exclude<keyof Measurement, 'point'>[] = ['lab', 'run_id', 'repetition', 'seed', 'step', 'phase', 'workload', 'node', 'peer', 'seq', 'metric', 'value', 'unit', 'detail', 'timestamp', 'impairment_backend'];

/** Everything a row says besides what the agent measured. */
export type RecordContext = Omit<Measurement, 'peer' | 'seq' | 'metric' | 'value' | 'unit' | 'detail' | 'timestamp'>;

export class AgentOutputError extends Error {}

/**
 * Turns one stdout line of a workload into a Measurement. The orchestrator decides what is a
 * valid record (contract 7): malformed records fail loudly rather than becoming bad CSV.
 * Returns undefined for lines that are not records (agents may print other events).
 */
export function parseRecord(line: string, ctx: RecordContext): Measurement | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    throw new AgentOutputError(`${ctx.node}: workload ${ctx.workload} printed invalid JSON: ${trimmed.slice(0, 200)}`);
  }
  if (obj.type !== 'record') return undefined;
  const { metric, value, unit, peer, seq, detail, time } = obj;
  if (typeof metric !== 'string' || !metric) throw bad(ctx, 'metric', 'a non-empty string', metric);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(ctx, 'value', 'a finite number', value);
  if (typeof unit !== 'string') throw bad(ctx, 'unit', 'a string', unit);
  if (typeof time !== 'number') throw bad(ctx, 'time', 'milliseconds since the epoch', time);
  return { ...ctx, peer: typeof peer === 'string' ? peer : '', seq: typeof seq === 'number' && Number.isInteger(seq) ? seq : '', metric, value, unit, detail: typeof detail === 'string' ? detail : '', timestamp: new Date(time).toISOString() };
}

function bad(ctx: RecordContext, field: string, expected: string, found: unknown): AgentOutputError {
  return new AgentOutputError(`${ctx.node}: workload ${ctx.workload} emitted a record whose "${field}" is ${JSON.stringify(found)}; expected ${expected}`);
}
