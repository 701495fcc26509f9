// HTTP/2 server push (origin config `push: true`) and the persistent-m strategy, over real
// sockets on 127.0.0.1: the page's objects arrive pushed, no request goes out for them, and the
// objects phase costs no round trip of its own.
import { afterEach, describe, expect, it } from 'vitest';
import { parseOriginConfig } from '../../../images/agent/src/http/config.js';
import { planFetch, plannedConnections } from '../../../images/agent/src/http/fetch-plan.js';
import { loadPage, type FetchOptions } from '../../../images/agent/src/http/fetcher.js';
import { Origin } from '../../../images/agent/src/http/origin.js';
import { serveHttp } from '../../../images/agent/src/http/server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const now = () => performance.now();
const options = (extra: Partial<FetchOptions> = {}): FetchOptions => ({ strategy: 'h2', m: 4, warm: false, timeoutMs: 5000, now, headers: {}, ...extra });

/**
 * An origin that answers `delayMs` late — a request's round trip, so only what the client asks for
 * pays it (a pushed object is not asked for) — and counts what its handler was asked.
 */
async function origin(push: boolean, delayMs = 0) {
  const o = new Origin(parseOriginConfig({ push, sites: { 'www.foo.com': { objects: 6, size: 3000 } } }, 'origin'), { server: 'origin', lastModified: Date.now() - 60_000, now: Date.now });
  const asked: string[] = [];
  const listener = await serveHttp(async (r) => {
    const isPush = push && r.target !== '/';
    asked.push(r.target);
    if (delayMs > 0 && !isPush) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return o.handle(r);
  }, { port: 0, address: '127.0.0.1', h2: true, log: () => undefined });
  cleanups.push(() => listener.close());
  return { url: new URL(`http://127.0.0.1:${listener.port}/`), asked, listener };
}

describe('HTTP/2 server push', () => {
  it('pushes the page\'s objects with it: the client takes them without asking, bytes intact', async () => {
    const { url, asked } = await origin(true);
    const load = await loadPage(url, options());
    expect(load.objects.map((o) => [o.url.pathname, o.status, o.bytes, o.pushed])).toEqual([1, 2, 3, 4, 5, 6].map((k) => [`/obj/${k}`, 200, 3000, true]));
    // The client sent one request (the page); the handler also ran for each pushed object.
    expect(asked.filter((t) => t === '/')).toHaveLength(1);
    expect(asked.filter((t) => t.startsWith('/obj/'))).toHaveLength(6);
    expect(load.connections).toBe(1);
  });

  it('saves the round trip that asks for the objects: objects_load ≈ 0 with push, ≈ one server turn without', async () => {
    const delay = 60;
    const pushed = await loadPage((await origin(true, delay)).url, options());
    const plain = await loadPage((await origin(false, delay)).url, options());
    expect(plain.objects.every((o) => !o.pushed)).toBe(true);
    expect(plain.totalMs - plain.pageMs).toBeGreaterThan(delay);
    expect(pushed.totalMs - pushed.pageMs).toBeLessThan(delay / 2);
  });

  it('is off by default, and never offered over HTTP/1.1', async () => {
    expect(parseOriginConfig({}, 'o').push).toBe(false);
    const { url, asked } = await origin(true);
    const load = await loadPage(url, options({ strategy: 'persistent' }));
    expect(load.objects.every((o) => !o.pushed)).toBe(true);
    expect(asked).toHaveLength(7);
  });
});

describe('persistent-m: m keep-alive connections, objects dealt round-robin', () => {
  it('plans m lanes on m pooled connections, lane 0 the page\'s', () => {
    const plan = planFetch('persistent-m', Array(10).fill('origin:80'), 4);
    expect(plan.lanes.map((lane) => lane.map((b) => [b.objects[0], b.connection, b.use]))).toEqual([
      [[0, 0, 'sequential'], [4, 0, 'sequential'], [8, 0, 'sequential']],
      [[1, 1, 'sequential'], [5, 1, 'sequential'], [9, 1, 'sequential']],
      [[2, 2, 'sequential'], [6, 2, 'sequential']],
      [[3, 3, 'sequential'], [7, 3, 'sequential']],
    ]);
    expect(plannedConnections(plan, 'origin:80')).toBe(4);
  });

  it('opens exactly m connections against a real server', async () => {
    const { url, listener } = await origin(false);
    const load = await loadPage(url, options({ strategy: 'persistent-m', m: 3 }));
    expect(load.objects).toHaveLength(6);
    expect([load.connections, listener.connections.h1, listener.connections.h2]).toEqual([3, 3, 0]);
  });
});
