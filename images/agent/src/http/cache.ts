// The store of a shared HTTP cache (RFC 9111): responses keyed by absolute URL (the primary
// key, §2), several variants per URL when the origin says Vary (the secondary key, §4.1), in a
// byte-bounded LRU. Pure of sockets and clocks: callers pass `now` (ms since the epoch).
import { endToEnd, type HeaderMap } from './headers.js';
import { storability, usability, varyKey, varyMatches, type Storability, type TimedResponse } from './freshness.js';
import { SizedLru } from './lru.js';

export interface CachedResponse extends TimedResponse {
  body: Buffer;
  /** The request header values this variant was selected with (its Vary fields). */
  varyKey: Record<string, string>;
}

export type Lookup =
  | { state: 'miss' }
  | { state: 'fresh' | 'stale-allowed'; response: CachedResponse; age: number }
  | { state: 'validate'; response: CachedResponse; age: number; reason: string };

export interface CacheOptions {
  /** Bytes of bodies and header fields the cache may hold. */
  capacity: number;
  /** Larger responses are passed on but never stored. */
  maxObjectSize: number;
  /** At most this many URLs (all their variants), however small; default no bound. */
  maxEntries?: number;
}

/** What a stored response costs besides its body: its fields plus bookkeeping. */
const OVERHEAD = 128;
const sizeOfResponse = (r: CachedResponse): number => r.body.length + OVERHEAD + Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);

/** Fields a 304 must not change in the stored response (RFC 9111 §3.2: they describe the stored body). */
const KEEP_ON_UPDATE = ['content-length', 'content-encoding', 'content-range', 'transfer-encoding'];

export class HttpCache {
  private readonly lru: SizedLru<string, CachedResponse[]>;
  evictions = 0;

  constructor(readonly options: CacheOptions) {
    this.lru = new SizedLru(options.capacity, (variants) => variants.reduce((n, v) => n + sizeOfResponse(v), 0), options.maxEntries);
  }

  get entries(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.bytes;
  }

  lookup(url: string, request: HeaderMap, now: number): Lookup {
    const response = this.lru.get(url)?.find((v) => varyMatches(v.varyKey, request));
    if (!response) return { state: 'miss' };
    const u = usability(response, request, now);
    return u.use === 'validate' ? { state: 'validate', response, age: u.age, reason: u.reason } : { state: u.use, response, age: u.age };
  }

  /** Stores a complete response (replacing the variant with the same secondary key) when RFC 9111 §3 allows it. */
  store(url: string, method: string, request: HeaderMap, response: TimedResponse & { body: Buffer }): Storability {
    const verdict = storability(method, request, response.status, response.headers);
    if (!verdict.storable) return verdict;
    if (response.body.length > this.options.maxObjectSize) return { storable: false, reason: `${response.body.length} bytes > max-object-size ${this.options.maxObjectSize}` };
    const stored: CachedResponse = { status: response.status, headers: endToEnd(response.headers), body: response.body, requestTime: response.requestTime, responseTime: response.responseTime, varyKey: varyKey(response.headers, request) };
    const others = (this.lru.peek(url) ?? []).filter((v) => JSON.stringify(v.varyKey) !== JSON.stringify(stored.varyKey));
    const { evicted, rejected } = this.lru.set(url, [...others, stored]);
    this.evictions += evicted.length;
    if (rejected) return { storable: false, reason: this.options.maxEntries === 0 ? 'the cache holds no entries (cache-entries 0)' : `larger than the whole cache (${this.options.capacity} bytes)` };
    return verdict;
  }

  /** A 304 validated `stored`: its fields are updated from the 304's and its age starts again (RFC 9111 §4.3.4). */
  freshen(url: string, stored: CachedResponse, notModified: TimedResponse): CachedResponse {
    const headers = { ...stored.headers };
    for (const [name, value] of Object.entries(endToEnd(notModified.headers))) if (!KEEP_ON_UPDATE.includes(name)) headers[name] = value;
    // The stored Age described the old copy; the 304's own Age (if any) is the new one.
    if (notModified.headers.age === undefined) delete headers.age;
    const updated: CachedResponse = { ...stored, headers, requestTime: notModified.requestTime, responseTime: notModified.responseTime };
    const variants = this.lru.peek(url);
    if (variants) {
      const { evicted } = this.lru.set(url, variants.map((v) => (v === stored ? updated : v)));
      this.evictions += evicted.length;
    }
    return updated;
  }

  /** Unsafe methods invalidate what is stored for their URL (RFC 9111 §4.4). */
  invalidate(url: string): boolean {
    return this.lru.delete(url);
  }

  clear(): number {
    return this.lru.clear();
  }

  /** URLs from least to most recently used (tests and logs). */
  urls(): string[] {
    return this.lru.keys();
  }
}
