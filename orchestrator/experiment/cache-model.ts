// The hit ratio of an LRU cache of C objects under independent requests for n objects whose
// popularity is Zipf(alpha) — the model beside the web-caching experiment's measurements.
// Che's approximation (Che, Tung, Wang, IEEE JSAC 2002; shown accurate by Fricker, Robert,
// Roberts, ITC 2012): an object stays cached for a "characteristic time" T after its last
// request, the same T for every object, fixed by the cache being full on average:
//     Σ_i (1 − e^(−p_i·T)) = C,    hit ratio h = Σ_i p_i · (1 − e^(−p_i·T)).
// Pure, and exposed to `expect:` formulas as lru_hit(alpha, n, c).

/** P(object of rank i) ∝ 1/i^alpha, i = 1..n. */
function zipf(alpha: number, n: number): number[] {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** alpha);
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** Objects expected in the cache if each stays T request-times after its last request. */
const occupancy = (p: number[], t: number): number => p.reduce((n, pi) => n - Math.expm1(-pi * t), 0);

/** Che's characteristic time T (in requests) for a cache of `c` objects, by bisection (occupancy grows with T). */
export function characteristicTime(p: number[], c: number): number {
  let hi = 1;
  while (occupancy(p, hi) < c) hi *= 2;
  let lo = 0;
  for (let i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (occupancy(p, mid) < c) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Che's approximation of the LRU hit ratio: Zipf(alpha) over n objects, a cache of c objects. */
export function lruHitRatio(alpha: number, n: number, c: number): number {
  if (!(alpha >= 0)) throw new Error(`lru_hit(alpha, n, c): alpha must be >= 0, found ${alpha}`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`lru_hit(alpha, n, c): n (objects) must be a whole number >= 1, found ${n}`);
  if (!(c >= 0)) throw new Error(`lru_hit(alpha, n, c): c (cache size in objects) must be >= 0, found ${c}`);
  if (c === 0) return 0;
  if (c >= n) return 1;
  const p = zipf(alpha, n);
  const t = characteristicTime(p, c);
  return p.reduce((h, pi) => h - pi * Math.expm1(-pi * t), 0);
}
