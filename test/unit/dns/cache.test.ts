import { describe, expect, it } from 'vitest';
import { DnsCache, RANK } from '../../../images/agent/src/dns/cache.js';
import { a, dataOfAll, FakeClock, ttlsOf } from './hierarchy.js';

describe('resolver cache', () => {
  it('returns the remaining TTL and drops the entry when it runs out', () => {
    const clock = new FakeClock();
    const cache = new DnsCache(100, clock.now);
    cache.put([a('www.x.y', '10.0.0.1', 300)], RANK.answer);
    expect(ttlsOf(cache.get('www.x.y', 'A'))).toEqual([300]);
    clock.advance(120_500);
    expect(ttlsOf(cache.get('www.x.y', 'A'))).toEqual([179]);
    clock.advance(179_500);
    expect(cache.get('www.x.y', 'A')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('uses the smallest TTL of an RRset and does not cache TTL 0', () => {
    const cache = new DnsCache(100, () => 0);
    cache.put([a('m.x.y', '10.0.0.1', 300), a('m.x.y', '10.0.0.2', 30)], RANK.answer);
    expect(ttlsOf(cache.get('m.x.y', 'A'))).toEqual([30, 30]);
    cache.put([a('zero.x.y', '10.0.0.1', 0)], RANK.answer);
    expect(cache.get('zero.x.y', 'A')).toBeUndefined();
  });

  it('rotates multi-record RRsets per read', () => {
    const cache = new DnsCache(100, () => 0);
    cache.put([a('lb.x.y', '10.0.0.1'), a('lb.x.y', '10.0.0.2')], RANK.answer);
    expect(dataOfAll(cache.get('lb.x.y', 'A'))).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(dataOfAll(cache.get('lb.x.y', 'A'))).toEqual(['10.0.0.2', '10.0.0.1']);
  });

  it('evicts the least recently used entry beyond its size', () => {
    const cache = new DnsCache(2, () => 0);
    cache.put([a('one', '10.0.0.1')], RANK.answer);
    cache.put([a('two', '10.0.0.2')], RANK.answer);
    cache.get('one', 'A');
    cache.put([a('three', '10.0.0.3')], RANK.answer);
    expect([cache.get('one', 'A') !== undefined, cache.get('two', 'A') !== undefined, cache.get('three', 'A') !== undefined]).toEqual([true, false, true]);
  });

  it('does not let glue replace an authoritative answer', () => {
    const cache = new DnsCache(10, () => 0);
    cache.put([a('ns1.x.y', '10.0.0.1')], RANK.authoritative);
    cache.put([a('ns1.x.y', '6.6.6.6')], RANK.glue);
    expect(dataOfAll(cache.get('ns1.x.y', 'A'))).toEqual(['10.0.0.1']);
  });

  it('keeps NXDOMAIN for every type of the name and NODATA per type', () => {
    const clock = new FakeClock();
    const cache = new DnsCache(10, clock.now);
    cache.putNegative('nxdomain', 'nope.x.y', 'A', undefined, 60);
    cache.putNegative('nodata', 'www.x.y', 'AAAA', undefined, 60);
    expect(cache.getNegative('nope.x.y', 'MX')?.kind).toBe('nxdomain');
    expect(cache.getNegative('www.x.y', 'AAAA')?.kind).toBe('nodata');
    expect(cache.getNegative('www.x.y', 'A')).toBeUndefined();
    clock.advance(60_000);
    expect(cache.getNegative('nope.x.y', 'A')).toBeUndefined();
  });

  it('caches nothing with size 0', () => {
    const cache = new DnsCache(0, () => 0);
    cache.put([a('www.x.y', '10.0.0.1')], RANK.answer);
    expect(cache.get('www.x.y', 'A')).toBeUndefined();
  });
});
