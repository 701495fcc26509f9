import { createHash } from 'node:crypto';

/** A repetition's seed: derived from the experiment seed, so one recorded seed reproduces all. */
export function deriveSeed(seed: number, repetition: number, point?: string): number {
  const key = point === undefined ? `${seed}:${repetition}` : `${seed}:${repetition}:${point}`;
  return createHash('sha256').update(key).digest().readUInt32BE(0);
}
