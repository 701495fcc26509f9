// Che's approximation of an LRU cache's hit ratio under Zipf popularity, against a simulated LRU
// (the same requests, a real least-recently-used list), and as an expect: function.
import { describe, expect, it } from 'vitest';
import { lruHitRatio } from '../../../orchestrator/experiment/cache-model.js';
import { evaluate, ExpressionError } from '../../../orchestrator/experiment/expression.js';
import { mulberry32 } from '../../../images/agent/src/common/random.js';
import { zipfSampler } from '../../../images/agent/src/common/zipf.js';

/** Hit ratio of an LRU of c objects over `requests` Zipf draws, after a warm-up of as many. */
function simulateLru(alpha: number, n: number, c: number, requests: number): number {
  const draw = zipfSampler(n, alpha, mulberry32(99));
  const lru = new Map<number, true>();
  let hits = 0;
  for (let i = 0; i < 2 * requests; i++) {
    const k = draw();
    const hit = lru.delete(k);
    if (hit && i >= requests) hits++;
    lru.set(k, true);
    if (lru.size > c) lru.delete(lru.keys().next().value!);
  }
  return hits / requests;
}

describe('lruHitRatio (Che)', () => {
  it.each([
    [0.6, 1000, 10],
    [0.8, 1000, 50],
    [1.0, 1000, 200],
    [1.2, 500, 20],
  ])('alpha %s, n %s, c %s: within 0.015 of a simulated LRU', (alpha, n, c) => {
    expect(Math.abs(lruHitRatio(alpha, n, c) - simulateLru(alpha, n, c, 200_000))).toBeLessThan(0.015);
  });

  it('rises with the cache size and with alpha; 0 with no cache, 1 when everything fits', () => {
    const bySize = [1, 10, 50, 200, 999].map((c) => lruHitRatio(0.8, 1000, c));
    expect(bySize).toEqual([...bySize].sort((a, b) => a - b));
    const byAlpha = [0, 0.6, 0.8, 1, 1.2].map((a) => lruHitRatio(a, 1000, 50));
    expect(byAlpha).toEqual([...byAlpha].sort((a, b) => a - b));
    expect(lruHitRatio(0.8, 1000, 0)).toBe(0);
    expect(lruHitRatio(0.8, 1000, 1000)).toBe(1);
    // Uniform popularity: the cache holds c of n objects, so h = c/n.
    expect(lruHitRatio(0, 1000, 100)).toBeCloseTo(0.1, 6);
  });

  it('is the expect: function lru_hit(alpha, n, c), with clear errors', () => {
    expect(evaluate('lru_hit(params.alpha, 1000, 50)', { 'params.alpha': 0.8 })).toBeCloseTo(lruHitRatio(0.8, 1000, 50), 12);
    expect(() => evaluate('lru_hit(0.8, 1000)', {})).toThrow(ExpressionError);
    expect(() => evaluate('lru_hit(0.8, 1000)', {})).toThrow(/takes 3 arguments/);
    expect(() => evaluate('lru_hit(0.8, 0, 5)', {})).toThrow(/n \(objects\) must be a whole number >= 1/);
  });
});
