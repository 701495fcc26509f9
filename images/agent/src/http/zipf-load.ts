// The pure half of the http-zipf workload: which objects are asked for, in which order (ranks
// drawn from Zipf(α), seeded), what a response cost on the wire, and the figures a run reports.
// The sockets are in workloads/http-zipf.ts.
import { mulberry32 } from '../common/random.js';
import { zipfSampler } from '../common/zipf.js';
import type { HeaderMap } from './headers.js';

/** Object ranks 1..n (1 the most popular), `count` of them, drawn with P(k) ∝ 1/k^alpha. */
export function zipfRanks(n: number, alpha: number, count: number, seed: number): number[] {
  const draw = zipfSampler(n, alpha, mulberry32(seed));
  return Array.from({ length: count }, () => draw() + 1);
}

/** Object k's URL: `base` ends where the rank goes (`http://web/obj/` -> `http://web/obj/7`). */
export const objectUrl = (base: string, rank: number): URL => new URL(`${base}${rank}`);

/**
 * Bytes of a response as HTTP/1.1 puts them on the wire: status line, header fields, blank line,
 * body. (The reason phrase is as received; fields as parsed, so repeated fields count once.)
 */
export function wireBytes(r: { status: number; reason: string; headers: HeaderMap; body: Buffer }): number {
  const fields = Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + 2 + Buffer.byteLength(v) + 2, 0);
  return `HTTP/1.1 ${r.status} ${r.reason}\r\n`.length + fields + 2 + r.body.length;
}

export interface Sample {
  rank: number;
  status: number;
  /** The nearest cache's verdict (X-Cache's first entry), if a cache answered. */
  cache?: string;
  ms: number;
  wireBytes: number;
}

const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The q-quantile (0..1) of the values, by the nearest-rank method. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface ZipfSummary {
  requests: number;
  /** Share of responses the nearest cache answered from its store (HIT). */
  hitRatio: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  /** Mean time of the hits and of everything else (misses, revalidations). */
  hitMs: number;
  missMs: number;
  distinct: number;
  byStatus: Record<number, { count: number; meanWireBytes: number }>;
  wireBytes: number;
}

export function summarize(samples: Sample[]): ZipfSummary {
  const hits = samples.filter((s) => s.cache === 'HIT');
  const others = samples.filter((s) => s.cache !== 'HIT');
  const byStatus: ZipfSummary['byStatus'] = {};
  for (const status of new Set(samples.map((s) => s.status))) {
    const of = samples.filter((s) => s.status === status);
    byStatus[status] = { count: of.length, meanWireBytes: mean(of.map((s) => s.wireBytes)) };
  }
  const ms = samples.map((s) => s.ms);
  return {
    requests: samples.length,
    hitRatio: samples.length === 0 ? 0 : hits.length / samples.length,
    meanMs: mean(ms),
    p50Ms: quantile(ms, 0.5),
    p90Ms: quantile(ms, 0.9),
    hitMs: mean(hits.map((s) => s.ms)),
    missMs: mean(others.map((s) => s.ms)),
    distinct: new Set(samples.map((s) => s.rank)).size,
    byStatus,
    wireBytes: samples.reduce((n, s) => n + s.wireBytes, 0),
  };
}
