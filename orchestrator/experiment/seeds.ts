import { createHash } from 'node:crypto';

/** A repetition's seed: derived from the experiment seed, so one recorded seed reproduces all. */
export function deriveSeed(seed: number, repetition: number): number {
  return createHash('sha256').update(`${seed}:${repetition}`).digest().readUInt32BE(0);
}
