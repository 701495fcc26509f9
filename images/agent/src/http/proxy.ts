// A caching proxy's request handling (RFC 9110 §7.6, RFC 9111), the same for both kinds: a
// forward proxy (near the clients: absolute-form requests name the server) and a reverse proxy
// (in front of one origin: origin-form requests, the Host passed on so virtual hosts stay apart).
// Fresh stored responses are served at once (HIT); stale ones are revalidated with a conditional
// request (REVALIDATED on 304, EXPIRED when a new 200 replaces them); the rest go upstream (MISS)
// and are stored when RFC 9111 §3 allows. Responses say what happened in Via, Age and X-Cache.
import { HttpCache, type CachedResponse } from './cache.js';
import { conditionalFields, notModified, validatorsOf, withoutConditionals } from './conditional.js';
import type { ProxySettings } from './config.js';
import { cacheControl, endToEnd, httpDate, splitList, type HeaderMap } from './headers.js';
import type { HttpRequest, HttpResponse } from './server.js';
import { UpstreamError, type Fetch, type UpstreamResponse } from './upstream.js';
import { cacheKey, parseTarget } from './url.js';

export type CacheStatus = 'HIT' | 'MISS' | 'REVALIDATED' | 'EXPIRED' | 'BYPASS';

const COUNTERS = ['requests', 'hits', 'misses', 'revalidated', 'expired', 'bypass', 'stored', 'not_stored', 'errors', 'bytes_from_cache', 'bytes_from_upstream', 'not_modified_to_client'] as const;
export type ProxyCounters = Record<(typeof COUNTERS)[number], number>;

export interface ProxyContext {
  node: string;
  now(): number;
  fetch: Fetch;
  log(line: string): void;
}

const UNSAFE = ['POST', 'PUT', 'DELETE', 'PATCH'];

export class CachingProxy {
  readonly counters = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as ProxyCounters;
  private store_: HttpCache;
  private readonly via: string;

  constructor(readonly kind: 'forward' | 'reverse', private readonly settings: ProxySettings, private readonly context: ProxyContext) {
    this.store_ = this.newCache(settings.cacheEntries);
    this.via = `1.1 ${context.node}`;
  }

  get cache(): HttpCache {
    return this.store_;
  }

  async handle(request: HttpRequest): Promise<HttpResponse> {
    this.counters.requests++;
    const started = this.context.now();
    const where = this.upstreamUrl(request);
    if (typeof where === 'string') return this.error(400, where);
    if (splitList(request.headers.via).some((v) => v.toLowerCase() === this.via.toLowerCase())) return this.error(508, `Loop Detected: this request already passed through ${this.context.node} (Via: ${request.headers.via})`);
    const { url, key, host } = where;
    const forwardHeaders = { ...endToEnd(request.headers), host, via: [request.headers.via, this.via].filter(Boolean).join(', ') };
    let outcome: { response: HttpResponse; status: CacheStatus };
    try {
      outcome = await this.serve(request, url, key, forwardHeaders);
    } catch (e) {
      if (!(e instanceof UpstreamError)) throw e;
      this.counters.errors++;
      return this.error(e.status, `${e.status === 504 ? 'Gateway Timeout' : 'Bad Gateway'}: ${e.message}`);
    }
    const { response, status } = outcome;
    const upstreamXCache = response.headers['x-cache'];
    response.headers['x-cache'] = [`${status} from ${this.context.node}`, upstreamXCache].filter(Boolean).join(', ');
    response.headers.via = [response.headers.via, this.via].filter(Boolean).join(', ');
    this.context.log(`request client=${request.client} method=${request.method} url=${key} status=${response.status} cache=${status} ms=${Math.round((this.context.now() - started) * 1000) / 1000}`);
    return response;
  }

  /**
   * Forgets what it stored and counted (a cold cache for the next run); returns the entries
   * dropped. `entries` bounds the new cache in objects (a sweep of cache sizes: no restart).
   */
  flush(resize?: { cacheEntries?: number }): number {
    for (const key of Object.keys(this.counters) as (keyof ProxyCounters)[]) this.counters[key] = 0;
    const dropped = this.store_.clear();
    this.store_ = this.newCache(resize && 'cacheEntries' in resize ? resize.cacheEntries : this.store_.options.maxEntries);
    return dropped;
  }

  private newCache(maxEntries: number | undefined): HttpCache {
    return new HttpCache({ capacity: this.settings.cacheSize, maxObjectSize: this.settings.maxObjectSize, ...(maxEntries === undefined ? {} : { maxEntries }) });
  }

  /** Where the request goes, the cache key it is stored under, and the Host sent upstream. */
  private upstreamUrl(request: HttpRequest): { url: URL; key: string; host: string } | string {
    if (request.version === '1.1' && request.headers.host === undefined) return 'Bad Request: HTTP/1.1 requests must carry a Host field (RFC 9112 §3.2)';
    const target = parseTarget(request.target, request.method);
    if (target?.form === 'authority') return 'CONNECT is not supported: the lab has no TLS; ask for http:// URLs';
    if (this.kind === 'forward') {
      if (target?.form !== 'absolute') return `Bad Request: a forward proxy needs the absolute URL in the request line (GET http://HOST/PATH); found "${request.target}" (curl -x http://${this.context.node}:${this.settings.port} http://HOST/)`;
      if (target.url.protocol !== 'http:') return `Bad Request: only http:// URLs can be fetched in the lab, found "${target.url.protocol}"`;
      return { url: target.url, key: cacheKey(target.url), host: target.url.host };
    }
    if (!target || (target.form !== 'origin' && target.form !== 'absolute')) return `Bad Request: cannot forward request target "${request.target}"`;
    const path = target.form === 'absolute' ? `${target.url.pathname}${target.url.search}` : target.path;
    const origin = this.settings.origin!;
    const host = this.settings.host ?? (target.form === 'absolute' ? target.url.host : request.headers.host) ?? origin.host;
    return { url: new URL(path, origin), key: cacheKey(new URL(path, `http://${host}`)), host };
  }

  private async serve(request: HttpRequest, url: URL, key: string, headers: HeaderMap): Promise<{ response: HttpResponse; status: CacheStatus }> {
    const { method } = request;
    const fetch = (h: HeaderMap, m = method) => this.context.fetch({ url, method: m, headers: h, body: request.body });
    const noStore = cacheControl(request.headers['cache-control']).has('no-store');
    if (this.settings.cacheSize === 0 || (method !== 'GET' && method !== 'HEAD') || noStore) {
      if (UNSAFE.includes(method)) this.cache.invalidate(key);
      this.counters.bypass++;
      return { response: this.fromUpstream(await fetch(headers), request), status: 'BYPASS' };
    }
    const now = this.context.now();
    const found = this.cache.lookup(key, request.headers, now);
    if (found.state === 'fresh' || found.state === 'stale-allowed') {
      this.counters.hits++;
      return { response: this.fromCache(found.response, found.age, request), status: 'HIT' };
    }
    if (found.state === 'validate') {
      // Our validators, not the client's: whatever the client holds, we want to keep ours usable.
      const revalidation = await fetch({ ...withoutConditionals(headers), ...conditionalFields(found.response.headers) }, 'GET');
      if (revalidation.status === 304) {
        this.counters.revalidated++;
        const fresh = this.cache.freshen(key, found.response, revalidation);
        return { response: this.fromCache(fresh, 0, request), status: 'REVALIDATED' };
      }
      this.counters.expired++;
      this.store(key, request, revalidation);
      return { response: this.fromUpstream(revalidation, request), status: 'EXPIRED' };
    }
    if (cacheControl(request.headers['cache-control']).has('only-if-cached')) {
      this.counters.misses++;
      return { response: this.error(504, 'Gateway Timeout: not in the cache, and the request said only-if-cached'), status: 'MISS' };
    }
    this.counters.misses++;
    // A GET goes up without the client's preconditions, so the answer is a whole response worth storing.
    const fetched = await fetch(method === 'GET' ? withoutConditionals(headers) : headers);
    if (method === 'GET') this.store(key, request, fetched);
    return { response: this.fromUpstream(fetched, request), status: 'MISS' };
  }

  private store(key: string, request: HttpRequest, response: UpstreamResponse): void {
    const verdict = this.cache.store(key, request.method, request.headers, response);
    if (verdict.storable) this.counters.stored++;
    else this.counters.not_stored++;
    this.counters.bytes_from_upstream += response.body.length;
  }

  private fromUpstream(r: UpstreamResponse, request: HttpRequest): HttpResponse {
    if (r.status === 200 && notModified(request.method, request.headers, validatorsOf(r.headers))) return this.notModifiedResponse(endToEnd(r.headers));
    return { status: r.status, headers: endToEnd(r.headers), body: r.body };
  }

  private fromCache(stored: CachedResponse, age: number, request: HttpRequest): HttpResponse {
    const headers: HeaderMap = { ...stored.headers, age: String(Math.floor(age)) };
    // What the upstream cache said when this copy was fetched is history, not this response's path.
    delete headers['x-cache'];
    if (stored.status === 200 && notModified(request.method, request.headers, validatorsOf(stored.headers))) return this.notModifiedResponse(headers);
    if (request.method !== 'HEAD') this.counters.bytes_from_cache += stored.body.length;
    return { status: stored.status, headers, body: stored.body };
  }

  /** The client's own conditional request, answered here: 304 with the validators and freshness fields (RFC 9110 §15.4.5). */
  private notModifiedResponse(headers: HeaderMap): HttpResponse {
    this.counters.not_modified_to_client++;
    const keep = ['etag', 'last-modified', 'cache-control', 'expires', 'date', 'vary', 'age', 'via', 'x-cache'];
    return { status: 304, headers: Object.fromEntries(Object.entries(headers).filter(([k]) => keep.includes(k))) };
  }

  private error(status: number, text: string): HttpResponse {
    return { status, headers: { 'content-type': 'text/plain; charset=utf-8', date: httpDate(this.context.now()) }, body: Buffer.from(`${text}\n`) };
  }
}
