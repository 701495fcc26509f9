// Which keys dht-put stores and dht-lookup looks up, in which order, from which member: pure
// and seeded by the run's seed, so the same run asks the same questions.
import { pick, shuffle } from '../common/random.js';

export class PlanError extends Error {}

/** `keys: K` -> key-0 … key-(K−1) (what dht-put stores by default); a list as given. */
export function keyList(v: unknown): string[] {
  if (v === undefined) return keyList(100);
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n === 'number') {
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new PlanError(`argument "keys" must be a count from 1 to 1000000 or a list of keys, found ${JSON.stringify(v)}`);
    return Array.from({ length: n }, (_, i) => `key-${i}`);
  }
  const list = Array.isArray(v) ? v.map((k) => (typeof k === 'number' ? String(k) : k)) : undefined;
  if (!list || list.length === 0 || !list.every((k) => typeof k === 'string' && k !== '' && !/\s/.test(k))) {
    throw new PlanError(`argument "keys" must be a count or a non-empty list of keys without spaces, found ${JSON.stringify(v)}`);
  }
  return list as string[];
}

/** Each key once in a seeded order, or — with `count` — that many seeded draws. */
export function lookupOrder(keys: string[], count: number | undefined, random: () => number): string[] {
  if (count === undefined) return shuffle(keys, random);
  if (!Number.isInteger(count) || count < 1) throw new PlanError(`argument "count" must be a whole number >= 1, found ${count}`);
  return Array.from({ length: count }, () => pick(keys, random));
}

/** The value dht-put stores for a key in a run, so a lookup can tell a value of this run from anything else. */
export const valueFor = (key: string, seed: number): string => `${key}@${seed}`;
