// The identifier circle of the lecture: every peer and every key is an integer in [0, 2^m − 1];
// a key is stored at its immediate successor (the first peer clockwise from it, wrapping past
// 2^m − 1 to 0). Pure arithmetic, no I/O.
import { createHash } from 'node:crypto';

/** Largest m: identifiers stay exact in a JS number (and in JSON) well below 2^53. */
export const MAX_BITS = 48;

export const ringSize = (m: number): number => 2 ** m;

/** x in the half-open arc (a, b] going clockwise; (a, a] is the whole circle (a peer alone owns every key). */
export function inHalfOpen(x: number, a: number, b: number): boolean {
  if (a < b) return x > a && x <= b;
  if (a > b) return x > a || x <= b;
  return true;
}

/** x in the open arc (a, b) going clockwise; (a, a) is the whole circle but a. */
export function inOpen(x: number, a: number, b: number): boolean {
  if (a < b) return x > a && x < b;
  if (a > b) return x > a || x < b;
  return x !== a;
}

/** Clockwise distance from a to b on a circle of 2^m identifiers. */
export const clockwise = (a: number, b: number, m: number): number => (b - a + ringSize(m)) % ringSize(m);

/** Where finger i of peer `id` points: successor(id + 2^i), i = 0..m−1 (Chord). */
export const fingerStart = (id: number, i: number, m: number): number => (id + 2 ** i) % ringSize(m);

/** SHA-1 of the text, truncated to its m most significant bits. */
export function hashId(text: string, m: number): number {
  const digest = createHash('sha1').update(text, 'utf8').digest();
  return Math.floor(digest.readUIntBE(0, 6) / 2 ** (MAX_BITS - m));
}

export class KeyError extends Error {}

/**
 * A key's identifier: its SHA-1 truncated to m bits, or — `numeric`, as in the lecture's
 * example (key = 13) — the key itself, which must then be a whole number in [0, 2^m − 1].
 */
export function keyId(key: string, m: number, numeric = false): number {
  if (!numeric) return hashId(key, m);
  const n = /^\d+$/.test(key) ? Number(key) : NaN;
  if (!Number.isSafeInteger(n) || n >= ringSize(m)) throw new KeyError(`numeric key "${key}" must be a whole number from 0 to ${ringSize(m) - 1} (m = ${m})`);
  return n;
}
