// The origin's answers as pure request -> response: virtual hosting, 400 without Host, the
// generated page and objects, conditional GET -> 304 without a body, HEAD, the dynamic URL; and
// the node config checks that stop a misconfigured agent at start-up.
import { describe, expect, it } from 'vitest';
import { parseOriginConfig, parseProxyConfig } from '../../../images/agent/src/http/config.js';
import { Origin } from '../../../images/agent/src/http/origin.js';
import type { HttpRequest } from '../../../images/agent/src/http/server.js';

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const origin = () =>
  new Origin(parseOriginConfig({ sites: { 'www.foo.com': { objects: 3, size: [100, 2000] }, 'www.bar.com': { objects: 1, 'cache-control': 'no-cache', aliases: ['bar.com'] } } }, 'origin'), { server: 'origin', lastModified: T0 - 3600_000, now: () => T0 });
const get = (target: string, headers: Record<string, string> = { host: 'www.foo.com' }, extra: Partial<HttpRequest> = {}): HttpRequest => ({ method: 'GET', target, version: '1.1', headers, body: Buffer.alloc(0), client: '10.0.0.2', ...extra });

describe('Origin', () => {
  it('serves a base page that references its n objects, by Host (virtual hosting)', async () => {
    const o = origin();
    const foo = await o.handle(get('/'));
    expect(foo.status).toBe(200);
    expect(foo.body!.toString()).toContain('<h1>www.foo.com</h1>');
    expect(foo.body!.toString().match(/<img src="\/obj\/\d+"/g)).toHaveLength(3);
    const bar = await o.handle(get('/', { host: 'bar.com:80' }));
    expect(bar.body!.toString()).toContain('<h1>www.bar.com</h1>');
    expect(bar.headers['cache-control']).toBe('no-cache');
    // A Host no site claims gets the first site, as on common servers.
    expect((await o.handle(get('/', { host: '10.1.2.3' }))).body!.toString()).toContain('www.foo.com');
  });

  it('answers an HTTP/1.1 request without Host with 400, and accepts HTTP/1.0 without it', async () => {
    const o = origin();
    expect((await o.handle(get('/', {}))).status).toBe(400);
    expect((await o.handle(get('/', {}, { version: '1.0' }))).status).toBe(200);
  });

  it('sizes objects from the config (cycled) or the query, with validators and freshness', async () => {
    const o = origin();
    const sizes = await Promise.all(['/obj/1', '/obj/2', '/obj/3', '/obj/2?size=5'].map(async (t) => (await o.handle(get(t))).body!.length));
    expect(sizes).toEqual([100, 2000, 100, 5]);
    const r = await o.handle(get('/obj/1'));
    expect(r.headers).toMatchObject({ 'cache-control': 'max-age=60', 'last-modified': new Date(T0 - 3600_000).toUTCString(), expires: new Date(T0 + 60_000).toUTCString(), etag: expect.stringMatching(/^"[0-9a-f]{8}"$/) });
    const page = await o.handle(get('/?objects=20&size=1000'));
    expect(page.body!.toString().match(/<img src="\/obj\/\d+\?size=1000"/g)).toHaveLength(20);
    expect((await o.handle(get('/?objects=many'))).status).toBe(400);
    expect((await o.handle(get('/nothing'))).status).toBe(404);
  });

  it('answers a conditional GET for an unchanged object with 304 and no body', async () => {
    const o = origin();
    const first = await o.handle(get('/obj/1'));
    const byTag = await o.handle(get('/obj/1', { host: 'www.foo.com', 'if-none-match': first.headers.etag! }));
    expect(byTag.status).toBe(304);
    expect(byTag.body).toBeUndefined();
    expect(byTag.headers.etag).toBe(first.headers.etag);
    expect((await o.handle(get('/obj/1', { host: 'www.foo.com', 'if-modified-since': first.headers['last-modified']! }))).status).toBe(304);
    expect((await o.handle(get('/obj/1', { host: 'www.foo.com', 'if-none-match': '"other"' }))).status).toBe(200);
    expect(o.counters).toMatchObject({ requests: 4, not_modified: 2, ok: 2 });
  });

  it('computes /dynamic per request and forbids storing it; refuses other methods with 405', async () => {
    const o = origin();
    const a = await o.handle(get('/dynamic'));
    const b = await o.handle(get('/dynamic'));
    expect(a.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(a.body!.toString()).request).toBe(1);
    expect(JSON.parse(b.body!.toString()).request).toBe(2);
    expect((await o.handle(get('/', undefined, { method: 'DELETE' }))).status).toBe(405);
  });
});

describe('node config checks', () => {
  it('serves the node\'s own name by default', () => {
    expect(parseOriginConfig(undefined, 'origin').sites.map((s) => s.name)).toEqual(['origin']);
  });

  it('names the key, what was expected and what was found', () => {
    expect(() => parseOriginConfig({ sites: { 'www.foo.com': { object: 3 } } }, 'o')).toThrow('node.config.sites.www.foo.com: unknown key(s) "object"; known keys are [objects, size, max-age, cache-control, base, aliases, files]');
    expect(() => parseOriginConfig({ sites: { 'www.foo.com': { size: 'big' } } }, 'o')).toThrow(/size: expected a size in bytes.*found "big"/);
    expect(() => parseOriginConfig({ sites: { a: { aliases: ['b'] }, b: {} } }, 'o')).toThrow(/host "b" is already served by site "a"/);
    expect(() => parseProxyConfig({}, 'reverse')).toThrow(/node.config.origin: a reverse proxy needs the origin it fronts/);
    expect(() => parseProxyConfig({ origin: 'origin', 'cache-size': '10 parsecs' }, 'reverse')).toThrow(/cache-size: expected a size in bytes/);
    expect(parseProxyConfig({ 'cache-size': '1MiB' }, 'forward')).toMatchObject({ port: 3128, cacheSize: 1048576 });
  });
});
