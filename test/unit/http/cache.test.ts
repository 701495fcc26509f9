// RFC 9111 as the proxies apply it: freshness lifetimes, age, when a stored response must be
// validated, what may be stored, Vary, and the byte-bounded LRU. No sockets; times are given.
import { describe, expect, it } from 'vitest';
import { HttpCache } from '../../../images/agent/src/http/cache.js';
import { currentAge, freshnessLifetime, storability, usability, type TimedResponse } from '../../../images/agent/src/http/freshness.js';
import { httpDate } from '../../../images/agent/src/http/headers.js';
import { SizedLru } from '../../../images/agent/src/http/lru.js';

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const s = (seconds: number) => T0 + seconds * 1000;
const response = (headers: Record<string, string>, extra: Partial<TimedResponse> = {}): TimedResponse => ({ status: 200, headers: { date: httpDate(T0), ...headers }, requestTime: T0, responseTime: T0, ...extra });

describe('freshness lifetime (RFC 9111 §4.2.1)', () => {
  it('takes s-maxage over max-age over Expires (a shared cache)', () => {
    expect(freshnessLifetime(response({ 'cache-control': 'max-age=60, s-maxage=10', expires: httpDate(s(3600)) }))).toBe(10);
    expect(freshnessLifetime(response({ 'cache-control': 'max-age=60', expires: httpDate(s(3600)) }))).toBe(60);
    expect(freshnessLifetime(response({ expires: httpDate(s(30)) }))).toBe(30);
  });

  it('treats an invalid Expires as already expired', () => {
    expect(freshnessLifetime(response({ expires: '0' }))).toBe(0);
  });

  it('gives a heuristic 10% of the time since Last-Modified, only to heuristically cacheable statuses', () => {
    const lm = { 'last-modified': httpDate(s(-1000)) };
    expect(freshnessLifetime(response(lm))).toBe(100);
    expect(freshnessLifetime(response(lm, { status: 302 }))).toBe(0);
  });
});

describe('age (RFC 9111 §4.2.3)', () => {
  it('adds the Age it arrived with, the response delay and the time spent in the cache', () => {
    // Sent at T0, received 2 s later with Age: 5 → corrected initial age 7 s; 10 s resident.
    const r = response({ age: '5' }, { requestTime: T0, responseTime: s(2) });
    expect(currentAge(r, s(12))).toBe(17);
  });

  it('uses the apparent age when the Date is older than the exchange explains', () => {
    const r = response({ date: httpDate(s(-30)) }, { requestTime: T0, responseTime: T0 });
    expect(currentAge(r, T0)).toBe(30);
  });
});

describe('using a stored response (RFC 9111 §4.2, §5.2)', () => {
  const stored = response({ 'cache-control': 'max-age=60' });

  it('serves it fresh within its lifetime and validates it after', () => {
    expect(usability(stored, {}, s(59)).use).toBe('fresh');
    expect(usability(stored, {}, s(60))).toMatchObject({ use: 'validate', reason: expect.stringContaining('stale') });
  });

  it('validates every use of a no-cache response, and whenever the request says no-cache (or Pragma: no-cache)', () => {
    expect(usability(response({ 'cache-control': 'no-cache, max-age=60' }), {}, T0)).toMatchObject({ use: 'validate', reason: 'response no-cache' });
    expect(usability(stored, { 'cache-control': 'no-cache' }, T0)).toMatchObject({ use: 'validate', reason: 'request no-cache' });
    expect(usability(stored, { pragma: 'no-cache' }, T0).use).toBe('validate');
  });

  it('honours the request\'s max-age, min-fresh and max-stale', () => {
    expect(usability(stored, { 'cache-control': 'max-age=10' }, s(11)).use).toBe('validate');
    expect(usability(stored, { 'cache-control': 'min-fresh=30' }, s(40)).use).toBe('validate');
    expect(usability(stored, { 'cache-control': 'max-stale=20' }, s(70)).use).toBe('stale-allowed');
    expect(usability(stored, { 'cache-control': 'max-stale=5' }, s(70)).use).toBe('validate');
  });

  it('never serves stale what the origin marked must-revalidate', () => {
    expect(usability(response({ 'cache-control': 'max-age=60, must-revalidate' }), { 'cache-control': 'max-stale' }, s(70)).use).toBe('validate');
  });
});

describe('what may be stored (RFC 9111 §3)', () => {
  it('refuses no-store (either side), private, Vary: *, and methods other than GET', () => {
    expect(storability('GET', {}, 200, { 'cache-control': 'no-store' })).toMatchObject({ storable: false, reason: 'response no-store' });
    expect(storability('GET', { 'cache-control': 'no-store' }, 200, { 'cache-control': 'max-age=60' })).toMatchObject({ storable: false, reason: 'request no-store' });
    expect(storability('GET', {}, 200, { 'cache-control': 'private, max-age=60' }).storable).toBe(false);
    expect(storability('GET', {}, 200, { 'cache-control': 'max-age=60', vary: '*' }).storable).toBe(false);
    expect(storability('POST', {}, 200, { 'cache-control': 'max-age=60' }).storable).toBe(false);
  });

  it('stores what has explicit freshness, or a validator to revalidate it with', () => {
    expect(storability('GET', {}, 200, { 'cache-control': 'max-age=60' }).storable).toBe(true);
    expect(storability('GET', {}, 200, { etag: '"x"' }).storable).toBe(true);
    expect(storability('GET', {}, 200, {}).storable).toBe(false);
    expect(storability('GET', { authorization: 'Basic eA==' }, 200, { 'cache-control': 'max-age=60' }).storable).toBe(false);
  });
});

describe('HttpCache', () => {
  const url = 'http://origin/obj/1';
  const fetched = (headers: Record<string, string>, body = 'x'.repeat(100), at = T0) => ({ status: 200, headers: { date: httpDate(at), ...headers }, body: Buffer.from(body), requestTime: at, responseTime: at });

  it('misses, stores, hits while fresh, then asks for validation and is freshened by a 304', () => {
    const cache = new HttpCache({ capacity: 10_000, maxObjectSize: 1000 });
    expect(cache.lookup(url, {}, T0).state).toBe('miss');
    expect(cache.store(url, 'GET', {}, fetched({ 'cache-control': 'max-age=10', etag: '"v1"', age: '3' })).storable).toBe(true);
    expect(cache.lookup(url, {}, s(5))).toMatchObject({ state: 'fresh', age: 8 });
    const stale = cache.lookup(url, {}, s(8));
    expect(stale.state).toBe('validate');
    if (stale.state !== 'validate') return;
    const fresh = cache.freshen(url, stale.response, { status: 304, headers: { date: httpDate(s(8)), 'cache-control': 'max-age=10', etag: '"v1"' }, requestTime: s(8), responseTime: s(8) });
    expect(fresh.headers.age).toBeUndefined();
    expect(cache.lookup(url, {}, s(9))).toMatchObject({ state: 'fresh', age: 1 });
    expect(fresh.body.toString()).toBe('x'.repeat(100));
  });

  it('keeps one variant per value of the fields Vary names', () => {
    const cache = new HttpCache({ capacity: 10_000, maxObjectSize: 1000 });
    cache.store(url, 'GET', { 'accept-language': 'en' }, fetched({ 'cache-control': 'max-age=60', vary: 'Accept-Language' }, 'hello'));
    cache.store(url, 'GET', { 'accept-language': 'fr' }, fetched({ 'cache-control': 'max-age=60', vary: 'Accept-Language' }, 'bonjour'));
    const body = (lang?: string) => {
      const r = cache.lookup(url, lang ? { 'accept-language': lang } : {}, T0);
      return r.state === 'miss' ? 'miss' : r.response.body.toString();
    };
    expect([body('en'), body('fr'), body('de'), body()]).toEqual(['hello', 'bonjour', 'miss', 'miss']);
  });

  it('evicts the least recently used responses to stay within its size, and never stores oversized ones', () => {
    const cache = new HttpCache({ capacity: 3 * 400, maxObjectSize: 500 });
    for (const k of [1, 2, 3]) cache.store(`http://origin/obj/${k}`, 'GET', {}, fetched({ 'cache-control': 'max-age=60' }, 'y'.repeat(200)));
    expect(cache.entries).toBe(3);
    cache.lookup('http://origin/obj/1', {}, T0); // 1 is now the most recently used: 2 goes first
    cache.store('http://origin/obj/4', 'GET', {}, fetched({ 'cache-control': 'max-age=60' }, 'y'.repeat(200)));
    expect(cache.urls()).toEqual(['http://origin/obj/3', 'http://origin/obj/1', 'http://origin/obj/4']);
    expect(cache.evictions).toBe(1);
    expect(cache.bytes).toBeLessThanOrEqual(1200);
    expect(cache.store('http://origin/big', 'GET', {}, fetched({ 'cache-control': 'max-age=60' }, 'z'.repeat(600)))).toMatchObject({ storable: false, reason: expect.stringContaining('max-object-size') });
  });
});

describe('SizedLru', () => {
  it('rejects a value larger than its capacity without evicting anything', () => {
    const lru = new SizedLru<string, string>(10, (v) => v.length);
    lru.set('a', 'aaaa');
    expect(lru.set('b', 'b'.repeat(11))).toEqual({ evicted: [], rejected: true });
    expect(lru.keys()).toEqual(['a']);
    expect(lru.set('c', 'cccccccc').evicted).toEqual(['a']);
  });
});
