// Zipf's law for popularity (a few items asked for often, a long tail asked for rarely): rank i
// of n is drawn with probability proportional to 1/(i+1)^s. Seeded through `random`, so the same
// seed gives the same draws (DESIGN.md contract 5). Used for DNS names and Web objects alike.

/** P(rank i), i = 0..n-1: 1/(i+1)^s normalised. s = 0 is uniform. */
export function zipfProbabilities(n: number, s: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`a Zipf distribution needs n >= 1 items, found ${n}`);
  if (!(s >= 0)) throw new Error(`a Zipf exponent must be >= 0, found ${s}`);
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** Draws ranks 0..n-1 with P(rank i) proportional to 1/(i+1)^s (inverse CDF, binary search). */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  let acc = 0;
  const cdf = zipfProbabilities(n, s).map((p) => (acc += p));
  return () => {
    const u = random();
    // The first rank whose cumulative probability exceeds u (rounding may leave the last below 1).
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u < cdf[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
