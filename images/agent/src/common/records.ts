// Agents report, the orchestrator decides (DESIGN.md contract 7): agents write one JSON object
// per line on stdout and never write CSV. Human-readable logs go to stderr.
import { writeSync } from 'node:fs';

export interface MetricRecord {
  type: 'record';
  metric: string;
  value: number;
  unit: string;
  /** The other end of the measurement, when there is one (a node name or address). */
  peer?: string;
  /** Sequence number within the workload, for per-sample metrics. */
  seq?: number;
  /** What the number is about, when one number is not enough (e.g. `rcode=NXDOMAIN answer=10.0.0.5`). */
  detail?: string;
  /** Wall-clock time of the measurement, ms since the epoch. */
  time: number;
}

export interface ReadyEvent {
  type: 'ready';
  node: string;
  role: string;
  /** Milliseconds from agent start to ready. */
  startupMs: number;
}

export type AgentLine = MetricRecord | ReadyEvent | { type: 'error'; message: string };

export function emit(line: AgentLine): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

export function record(metric: string, value: number, unit: string, extra: { peer?: string; seq?: number; detail?: string } = {}): void {
  emit({ type: 'record', metric, value, unit, ...extra, time: Date.now() });
}

// Log lines are written once per event-loop turn: Node writes to a pipe (Docker's log) in
// blocking calls, and a server logging each query did little else (a DNS server answered
// 19k instead of 39k queries/s). Lines keep their own timestamps; exit flushes what is left.
let pending: string[] = [];
let pendingBytes = 0;
const MAX_PENDING_BYTES = 1 << 20;

function flushLog(): void {
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  pendingBytes = 0;
  try {
    writeSync(2, text);
  } catch {
    // stderr gone (container stopping): nothing to tell anyone
  }
}
process.on('exit', flushLog);

export function log(message: string): void {
  const line = `[${new Date().toISOString()}] ${message}\n`;
  if (pending.length === 0) setImmediate(flushLog);
  pending.push(line);
  pendingBytes += line.length;
  if (pendingBytes > MAX_PENDING_BYTES) flushLog();
}
