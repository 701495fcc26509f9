// A cache bounded in objects (`cache-entries`, as the Zipf/LRU model counts a cache), and
// http-flush resizing a proxy's cache between runs of a sweep.
import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../../../images/agent/src/http/config.js';
import { httpDate } from '../../../images/agent/src/http/headers.js';
import { SizedLru } from '../../../images/agent/src/http/lru.js';
import { CachingProxy } from '../../../images/agent/src/http/proxy.js';
import type { Fetch } from '../../../images/agent/src/http/upstream.js';

describe('an LRU bounded in items as well as bytes', () => {
  it('evicts the least recently used once it holds maxItems, whatever the bytes', () => {
    const lru = new SizedLru<string, string>(1_000_000, (v) => v.length, 2);
    lru.set('a', 'x');
    lru.set('b', 'x');
    lru.get('a');
    expect(lru.set('c', 'x').evicted).toEqual(['b']);
    expect(lru.keys()).toEqual(['a', 'c']);
    expect(new SizedLru<string, string>(100, (v) => v.length, 0).set('a', 'x').rejected).toBe(true);
  });
});

describe('cache-entries', () => {
  it('is a proxy config key, checked', () => {
    expect(parseProxyConfig({ 'cache-entries': 50 }, 'forward').cacheEntries).toBe(50);
    expect(parseProxyConfig({}, 'forward').cacheEntries).toBeUndefined();
    expect(() => parseProxyConfig({ 'cache-entries': -1 }, 'forward')).toThrow(/cache-entries/);
  });

  it('http-flush empties the cache and may bound the new one; HIT ratios follow the bound', async () => {
    const clock = { t: Date.UTC(2026, 10, 25) };
    const fetch: Fetch = async (r) => ({ status: 200, headers: { 'cache-control': 'max-age=600', date: httpDate(clock.t), etag: `"${r.url.pathname}"` }, body: Buffer.alloc(100), requestTime: clock.t, responseTime: clock.t });
    const proxy = new CachingProxy('forward', parseProxyConfig({ 'cache-entries': 1 }, 'forward'), { node: 'p', now: () => clock.t, fetch, log: () => undefined });
    const get = async (k: number) => (await proxy.handle({ method: 'GET', target: `http://o/obj/${k}`, version: '1.1', headers: { host: 'o' }, body: Buffer.alloc(0), client: 'c' })).headers['x-cache'];
    // One entry: alternating two objects never hits.
    expect([await get(1), await get(2), await get(1), await get(2)]).toEqual(['MISS from p', 'MISS from p', 'MISS from p', 'MISS from p']);
    expect(proxy.flush({ cacheEntries: 2 })).toBe(1);
    expect([await get(1), await get(2), await get(1), await get(2)]).toEqual(['MISS from p', 'MISS from p', 'HIT from p', 'HIT from p']);
    expect(proxy.counters.hits).toBe(2);
    // A plain flush keeps the bound it has.
    proxy.flush();
    expect(proxy.cache.options.maxEntries).toBe(2);
  });
});
