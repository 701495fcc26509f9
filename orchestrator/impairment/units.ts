// Impairment values as people write them (the units tc accepts) <-> integers in base units.
// The patterns are the JSON Schema's too, so what the schema accepts is exactly what parses.
// Pure: bundled into the in-container agent (Node 18) as well.

const NUMBER = '(0|[1-9][0-9]*)(\\.[0-9]+)?';

/** `40ms`, `0.5ms`, `500us`, `1s`: a unit is required (a bare number is ambiguous). */
export const DURATION_PATTERN = `^${NUMBER}(us|usec|ms|msec|s|sec)$`;
/** `10mbit`, `1500kbit`; `bps`-suffixed units are BYTES per second, as in tc. */
export const RATE_PATTERN = `^${NUMBER}(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)$`;
/** `1%`, `0.5%`, `100%`. */
export const PERCENT_PATTERN = '^(100(\\.0+)?|[1-9]?[0-9](\\.[0-9]+)?)%$';

export const UNIT_MEANINGS = {
  duration: 'a duration with a unit, like 20ms, 500us or 1s',
  rate: 'a rate with a unit, like 10mbit, 1500kbit or 1gbit (bit/s; kbps, mbps and gbps are bytes/s, as in tc)',
  percent: 'a percentage from 0% to 100%, like 1% or 0.5%',
} as const;

const MICROSECONDS: Record<string, number> = { us: 1, usec: 1, ms: 1_000, msec: 1_000, s: 1_000_000, sec: 1_000_000 };
// SI multiples, as tc reads them (1mbit = 1 000 000 bit/s); `bps` units count bytes.
const BITS_PER_SECOND: Record<string, number> = {
  bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9,
  bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9,
};

/** Microseconds (rounded to whole ones), or undefined when the text is not a duration with a unit. */
export function parseDuration(text: string): number | undefined {
  return scaled(text, DURATION_PATTERN, MICROSECONDS);
}

/** Bits per second (rounded), or undefined when the text is not a rate with a unit. */
export function parseRate(text: string): number | undefined {
  return scaled(text, RATE_PATTERN, BITS_PER_SECOND);
}

/** Percent (0..100, fractions kept), or undefined when the text is not a percentage in range. */
export function parsePercent(text: string): number | undefined {
  return new RegExp(PERCENT_PATTERN).test(text) ? Number(text.slice(0, -1)) : undefined;
}

function scaled(text: string, pattern: string, units: Record<string, number>): number | undefined {
  const match = new RegExp(pattern).exec(text);
  if (match === null) return undefined;
  const unit = match[3] ?? '';
  const number = text.slice(0, text.length - unit.length);
  // Rounding absorbs binary fractions: 1.005s * 1e6 is 1004999.9999999999.
  return Math.round(Number(number) * (units[unit] ?? Number.NaN));
}

/** For tc's argv: the largest unit that keeps the value whole (`40ms`, `1500us`, `2s`). */
export function formatTcDuration(microseconds: number): string {
  if (microseconds !== 0 && microseconds % 1_000_000 === 0) return `${microseconds / 1_000_000}s`;
  if (microseconds !== 0 && microseconds % 1_000 === 0) return `${microseconds / 1_000}ms`;
  return `${microseconds}us`;
}

/** For tc's argv, in bit units only (never tc's byte-based `bps`): `10mbit`, `1500kbit`. */
export function formatTcRate(bitsPerSecond: number): string {
  for (const [unit, size] of [['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) {
    if (bitsPerSecond !== 0 && bitsPerSecond % size === 0) return `${bitsPerSecond / size}${unit}`;
  }
  return `${bitsPerSecond}bit`;
}

export function formatTcPercent(percent: number): string {
  return `${percent}%`;
}
