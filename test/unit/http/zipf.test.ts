// The Zipf draws of the http-zipf workload (seeded; frequencies follow 1/k^α) and the figures it
// reports (wire bytes of 200s and 304s, hit ratio, quantiles).
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../images/agent/src/common/random.js';
import { zipfProbabilities, zipfSampler } from '../../../images/agent/src/common/zipf.js';
import { quantile, summarize, wireBytes, zipfRanks } from '../../../images/agent/src/http/zipf-load.js';

describe('Zipf draws', () => {
  it('are the same for the same seed and differ for another', () => {
    expect(zipfRanks(100, 0.8, 50, 7)).toEqual(zipfRanks(100, 0.8, 50, 7));
    expect(zipfRanks(100, 0.8, 50, 7)).not.toEqual(zipfRanks(100, 0.8, 50, 8));
    expect(zipfRanks(100, 0.8, 1000, 7).every((k) => Number.isInteger(k) && k >= 1 && k <= 100)).toBe(true);
  });

  it.each([0, 0.6, 1, 1.2])('follow P(k) ∝ 1/k^%s (chi-square over the ranks, 100 000 draws)', (alpha) => {
    const n = 50;
    const draws = 100_000;
    const counts = new Array<number>(n).fill(0);
    for (const k of zipfRanks(n, alpha, draws, 42)) counts[k - 1]!++;
    const p = zipfProbabilities(n, alpha);
    const chi2 = counts.reduce((sum, observed, i) => sum + (observed - draws * p[i]!) ** 2 / (draws * p[i]!), 0);
    // 49 degrees of freedom: the 99.9th percentile of chi-square is 85.4.
    expect(chi2).toBeLessThan(85.4);
    // The log-log slope of frequency against rank is −α over the well-sampled head.
    const slope = (Math.log(counts[0]!) - Math.log(counts[9]!)) / (Math.log(1) - Math.log(10));
    expect(slope).toBeCloseTo(-alpha, 1);
  });

  it('the sampler maps the whole of [0, 1) onto ranks 0..n-1 (the inverse CDF)', () => {
    const fixed = (u: number) => zipfSampler(3, 1, () => u)();
    // P = 6/11, 3/11, 2/11.
    expect([fixed(0), fixed(0.54), fixed(0.546), fixed(0.81), fixed(0.82), fixed(0.999999)]).toEqual([0, 0, 1, 1, 2, 2]);
    expect(() => zipfSampler(0, 1, mulberry32(1))).toThrow(/n >= 1/);
    expect(() => zipfProbabilities(5, -1)).toThrow(/>= 0/);
  });
});

describe('what a zipf run reports', () => {
  it('counts a response\'s bytes as they cross the wire: a 304 is headers only', () => {
    const headers = { etag: '"abc"', 'cache-control': 'max-age=60' };
    const ok = wireBytes({ status: 200, reason: 'OK', headers: { ...headers, 'content-length': '2000' }, body: Buffer.alloc(2000) });
    const notModified = wireBytes({ status: 304, reason: 'Not Modified', headers, body: Buffer.alloc(0) });
    expect(notModified).toBe('HTTP/1.1 304 Not Modified\r\n'.length + 'etag: "abc"\r\n'.length + 'cache-control: max-age=60\r\n'.length + 2);
    expect(ok - notModified).toBe(2000 + 'content-length: 2000\r\n'.length + ('OK'.length - 'Not Modified'.length));
  });

  it('hit ratio, times of hits and misses, and per-status byte means', () => {
    const s = summarize([
      { rank: 1, status: 200, cache: 'HIT', ms: 2, wireBytes: 2300 },
      { rank: 1, status: 200, cache: 'HIT', ms: 4, wireBytes: 2300 },
      { rank: 2, status: 200, cache: 'MISS', ms: 30, wireBytes: 2300 },
      { rank: 3, status: 304, cache: 'HIT', ms: 2, wireBytes: 250 },
    ]);
    expect(s.hitRatio).toBe(0.75);
    expect([s.hitMs, s.missMs, s.meanMs]).toEqual([8 / 3, 30, 38 / 4]);
    expect(s.distinct).toBe(3);
    expect(s.byStatus).toEqual({ 200: { count: 3, meanWireBytes: 2300 }, 304: { count: 1, meanWireBytes: 250 } });
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });
});
