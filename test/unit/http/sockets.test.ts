// Real sockets on 127.0.0.1 (ephemeral ports): the origin serving HTTP/1.0, 1.1 and h2c on one
// port; every fetch strategy against it, with the connections the server accepted counted; and
// the caching proxies in front of it (MISS, HIT, revalidation with a 304 from the origin).
import { afterEach, describe, expect, it } from 'vitest';
import { parseOriginConfig, parseProxyConfig } from '../../../images/agent/src/http/config.js';
import { planFetch, plannedConnections, STRATEGIES } from '../../../images/agent/src/http/fetch-plan.js';
import { ClientCache, loadPage, type FetchOptions } from '../../../images/agent/src/http/fetcher.js';
import { H1Connection } from '../../../images/agent/src/http/h1-connection.js';
import { Origin } from '../../../images/agent/src/http/origin.js';
import { CachingProxy } from '../../../images/agent/src/http/proxy.js';
import { serveHttp, type HttpHandler } from '../../../images/agent/src/http/server.js';
import { upstreamClient } from '../../../images/agent/src/http/upstream.js';

const LOCAL = '127.0.0.1';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const quiet = () => undefined;
const now = () => performance.now();

async function serve(handler: HttpHandler, h2 = true) {
  const listener = await serveHttp(handler, { port: 0, address: LOCAL, h2, log: quiet });
  cleanups.push(() => listener.close());
  return listener;
}

/** An origin whose clock the test moves (so freshness can expire without waiting). */
async function startOrigin(config: unknown = { sites: { 'www.foo.com': { objects: 5, size: 1000, 'max-age': 10 } } }, clock = { t: Date.UTC(2026, 10, 25) }, delayMs = 0) {
  const origin = new Origin(parseOriginConfig(config, 'origin'), { server: 'origin', lastModified: clock.t - 3600_000, now: () => clock.t });
  const listener = await serve(async (r) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return origin.handle(r);
  });
  return { origin, listener, clock };
}

const options = (extra: Partial<FetchOptions> = {}): FetchOptions => ({ strategy: 'persistent', m: 2, warm: false, timeoutMs: 5000, now, headers: { 'user-agent': 'test' }, ...extra });

describe('fetch strategies against a local origin', () => {
  it.each(STRATEGIES)('%s fetches the page and its 5 objects over the planned number of connections', async (strategy) => {
    const { origin, listener } = await startOrigin();
    const url = new URL(`http://${LOCAL}:${listener.port}/`);
    const load = await loadPage(url, options({ strategy, m: 2 }));
    expect(load.page.status).toBe(200);
    expect(load.objects.map((o) => [o.url.pathname, o.status, o.bytes])).toEqual([1, 2, 3, 4, 5].map((k) => [`/obj/${k}`, 200, 1000]));
    const planned = plannedConnections(planFetch(strategy, Array(5).fill(`${LOCAL}:${listener.port}`), 2), `${LOCAL}:${listener.port}`);
    expect(load.connections).toBe(planned);
    expect(listener.connections.h1 + listener.connections.h2).toBe(planned);
    expect(strategy === 'h2' ? listener.connections.h2 : listener.connections.h1).toBe(planned);
    // One-at-a-time and concurrent speak HTTP/1.0, the others HTTP/1.1 (or 2).
    const versions = { h1_0: origin.counters.h1_0, h1_1: origin.counters.h1_1, h2: origin.counters.h2 };
    expect(versions).toEqual(strategy === 'one-at-a-time' || strategy === 'concurrent' ? { h1_0: 6, h1_1: 0, h2: 0 } : strategy === 'h2' ? { h1_0: 0, h1_1: 0, h2: 6 } : { h1_0: 0, h1_1: 6, h2: 0 });
  });

  it('pipelining and multiplexing overlap the waits that a persistent connection serialises', async () => {
    // Each response takes 60 ms at the server: a stand-in for one round trip.
    const { listener } = await startOrigin(undefined, undefined, 60);
    const url = new URL(`http://${LOCAL}:${listener.port}/`);
    const persistent = await loadPage(url, options({ strategy: 'persistent' }));
    const pipelined = await loadPage(url, options({ strategy: 'pipelined' }));
    const h2 = await loadPage(url, options({ strategy: 'h2' }));
    expect(persistent.totalMs).toBeGreaterThanOrEqual(6 * 60);
    for (const load of [pipelined, h2]) {
      expect(load.totalMs).toBeGreaterThanOrEqual(2 * 60);
      expect(load.totalMs).toBeLessThan(4 * 60);
    }
  });

  it('with a warm connection, a pipelined page costs the page and one batch, on the connection opened before the clock', async () => {
    const { listener } = await startOrigin();
    const load = await loadPage(new URL(`http://${LOCAL}:${listener.port}/`), options({ strategy: 'pipelined', warm: true }));
    expect(load.connections).toBe(0);
    expect(listener.connections.h1).toBe(1);
  });

  it('sends conditional GETs for what its cache holds: the second load is all 304s', async () => {
    const { listener } = await startOrigin();
    const url = new URL(`http://${LOCAL}:${listener.port}/`);
    const cache = new ClientCache();
    await loadPage(url, options({ clientCache: cache }));
    const again = await loadPage(url, options({ clientCache: cache }));
    expect([again.page, ...again.objects].map((o) => o.status)).toEqual(Array(6).fill(304));
    expect(again.objects).toHaveLength(5);
  });
});

describe('the origin on the wire', () => {
  it('refuses HTTP/1.1 without Host with 400, and answers HEAD with the length but no body', async () => {
    const { listener } = await startOrigin();
    const c = await H1Connection.open(LOCAL, listener.port, { timeoutMs: 2000, now });
    cleanups.push(() => c.close());
    const head = await c.send({ method: 'HEAD', target: '/obj/1', headers: { host: 'www.foo.com' }, version: '1.1' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '1000', 0]);
    const noHost = await c.send({ method: 'GET', target: '/', headers: {}, version: '1.1' });
    expect(noHost.status).toBe(400);
  });
});

describe('caching proxies', () => {
  async function chain(kind: 'forward' | 'reverse') {
    const o = await startOrigin({ sites: { 'www.foo.com': { objects: 2, size: 500, 'max-age': 10 }, 'www.bar.com': { objects: 1 } } });
    const upstream = upstreamClient({ timeoutMs: 2000, now: () => o.clock.t });
    cleanups.push(() => upstream.close());
    const settings = parseProxyConfig(kind === 'reverse' ? { origin: `${LOCAL}:${o.listener.port}`, port: 1 } : { port: 1 }, kind);
    const proxy = new CachingProxy(kind, settings, { node: 'px', now: () => o.clock.t, fetch: upstream.fetch, log: quiet });
    const listener = await serve((r) => proxy.handle(r), false);
    const c = await H1Connection.open(LOCAL, listener.port, { timeoutMs: 2000, now });
    cleanups.push(() => c.close());
    const target = (path: string) => (kind === 'forward' ? `http://${LOCAL}:${o.listener.port}${path}` : path);
    const get = (path: string, headers: Record<string, string> = {}, host = 'www.foo.com') => c.send({ method: 'GET', target: target(path), headers: { host, ...headers }, version: '1.1' });
    return { ...o, proxy, get };
  }

  it('forward: MISS, then HIT with Age and Via, then a client\'s conditional GET answered 304 from the cache', async () => {
    const { get, origin, clock, proxy } = await chain('forward');
    const miss = await get('/obj/1');
    expect([miss.status, miss.headers['x-cache'], miss.body.length]).toEqual([200, 'MISS from px', 500]);
    clock.t += 3000;
    const hit = await get('/obj/1');
    expect([hit.status, hit.headers['x-cache'], hit.headers.age, hit.headers.via]).toEqual([200, 'HIT from px', '3', '1.1 px']);
    const conditional = await get('/obj/1', { 'if-none-match': hit.headers.etag! });
    expect([conditional.status, conditional.body.length]).toEqual([304, 0]);
    expect(origin.counters.requests).toBe(1);
    expect(proxy.counters).toMatchObject({ hits: 2, misses: 1, stored: 1 });
  });

  it('revalidates a stale copy with a conditional request: the origin says 304, the client gets the stored 200', async () => {
    const { get, origin, clock, proxy } = await chain('reverse');
    await get('/obj/2');
    clock.t += 11_000;
    const revalidated = await get('/obj/2');
    expect([revalidated.status, revalidated.headers['x-cache'], revalidated.body.length]).toEqual([200, 'REVALIDATED from px', 500]);
    expect(origin.counters).toMatchObject({ requests: 2, not_modified: 1 });
    expect(proxy.counters.revalidated).toBe(1);
  });

  it('reverse: passes the Host on (virtual hosts stay apart in the cache), never stores no-store, and bypasses on POST', async () => {
    const { get } = await chain('reverse');
    const foo = await get('/', {}, 'www.foo.com');
    const bar = await get('/', {}, 'www.bar.com');
    expect(foo.body.toString()).toContain('www.foo.com');
    expect(bar.body.toString()).toContain('www.bar.com');
    expect((await get('/', {}, 'www.bar.com')).headers['x-cache']).toBe('HIT from px');
    expect((await get('/dynamic')).headers['x-cache']).toBe('MISS from px');
    expect((await get('/dynamic')).headers['x-cache']).toBe('MISS from px');
  });

  it('forward: refuses origin-form requests with a message saying how to use it', async () => {
    const { proxy } = await chain('forward');
    const r = await proxy.handle({ method: 'GET', target: '/obj/1', version: '1.1', headers: { host: 'x' }, body: Buffer.alloc(0), client: LOCAL });
    expect(r.status).toBe(400);
    expect(r.body!.toString()).toMatch(/absolute URL in the request line/);
  });
});
