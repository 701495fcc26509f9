import dns from 'node:dns';
import { log, record } from '../common/records.js';
import { STRATEGIES, type Strategy } from '../http/fetch-plan.js';
import { ClientCache, loadPage, type Endpoint, type FetchedObject } from '../http/fetcher.js';
import { parseOriginConfig } from '../http/config.js';
import { Origin } from '../http/origin.js';
import { serveHttp } from '../http/server.js';
import { endpointUrl } from '../http/url.js';
import { boolArg, numberArg, stringArg, type Workload } from './workload.js';

// A browser's page load, the lecture's way: the base HTML, then every object it embeds, with a
// chosen strategy (fetch-plan.ts). Arguments: url (the page, e.g. http://origin/?objects=10&size=1000),
// strategy (one-at-a-time | persistent | concurrent | persistent-m | pipelined | h2; default
// persistent), m (parallel connections of concurrent and persistent-m, 4), proxy (a forward proxy, NODE[:PORT], port 3128), count (page
// loads, 1), interval (ms between loads, 0), delay (ms to wait before the first load, e.g. until
// cached copies expire, 0), warm (open the page's connection before the clock starts, false),
// client-cache (a browser cache: one unrecorded load fills it, then every recorded load sends
// conditional GETs for what it holds, false), timeout (ms per load, 60000).
// Records per load (seq = the load): page_load (ms, start to last byte of the last object),
// base_page (ms), objects_load (ms, base page complete to last object), objects, bytes (bodies),
// connections (TCP connections opened), dns_time (ms, when names were looked up), not_modified
// (304s, with client-cache), objects_median and objects_spread (ms: base page complete to the
// median object's last byte; first to last object complete — how a lost segment delays some
// objects or all), pushed (objects the server pushed, h2), cache_hits (objects a proxy served from its cache, when one says
// X-Cache); per object object_time (ms; detail: path, status, bytes, cache, address).

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const httpFetch: Workload = {
  name: 'http-fetch',
  async run(args) {
    const url = pageUrl(args);
    const strategy = strategyArg(args);
    const m = numberArg(args, 'm', 4);
    if (!Number.isInteger(m) || m < 1) throw new Error(`argument "m" (parallel connections) must be a whole number >= 1, found ${JSON.stringify(args.m)}`);
    const count = numberArg(args, 'count', 1);
    if (!Number.isInteger(count) || count < 1) throw new Error(`argument "count" (page loads) must be a whole number >= 1, found ${JSON.stringify(args.count)}`);
    const intervalMs = numberArg(args, 'interval', 0);
    const delayMs = numberArg(args, 'delay', 0);
    const timeoutMs = numberArg(args, 'timeout', 60_000);
    const warm = boolArg(args, 'warm', false);
    if (warm && (strategy === 'one-at-a-time' || strategy === 'concurrent')) throw new Error(`argument "warm" needs a strategy that keeps its connection (persistent, pipelined, h2); ${strategy} opens one per object`);
    const proxy = await proxyArg(args);
    if (proxy && strategy === 'h2') throw new Error('strategy h2 cannot go through a proxy: the lab\'s proxies speak HTTP/1.1 (fetch from the origin directly, or choose another strategy)');
    const clientCache = boolArg(args, 'client-cache', false) ? new ClientCache() : undefined;
    log(`http-fetch: ${count} load(s) of ${url.href}, ${strategy}${strategy === 'concurrent' || strategy === 'persistent-m' ? ` m=${m}` : ''}${proxy ? ` via ${proxy.address}:${proxy.port}` : ''}${warm ? ', warm connection' : ''}`);
    const options = { strategy, m, warm, timeoutMs, now, headers: { 'user-agent': 'emunet-http-fetch', accept: '*/*' }, ...(proxy ? { proxy } : {}), ...(clientCache ? { clientCache } : {}) };
    await warmUp(strategy, m);
    if (delayMs > 0) await sleep(delayMs);
    if (clientCache) {
      // "The browser was here before": what it cached then is what it revalidates now.
      const priming = await loadPage(url, options);
      log(`http-fetch: priming load for the client cache: ${priming.objects.length + 1} responses in ${round(priming.totalMs)} ms (not recorded)`);
    }
    for (let seq = 1; seq <= count; seq++) {
      const load = await loadPage(url, options);
      if (load.page.status >= 400) throw new Error(`the page ${url.href} answered ${load.page.status}: ${load.page.body.toString('utf8').split('\n')[0]?.slice(0, 200)}`);
      report(load, url, strategy, seq, clientCache !== undefined);
      if (intervalMs > 0 && seq < count) await sleep(intervalMs);
    }
  },
};

/**
 * One untimed page load from a throwaway origin on the loopback interface, so the first timed
 * load does not pay this process's one-off costs (loading http2, compiling the parsers, starting
 * the resolver's thread): the lab's network is not touched, no cache in the lab is warmed.
 */
async function warmUp(strategy: Strategy, m: number): Promise<void> {
  const origin = new Origin(parseOriginConfig(undefined, 'warm-up'), { server: 'warm-up', lastModified: Date.now(), now: Date.now });
  const listener = await serveHttp((r) => origin.handle(r), { port: 0, address: '127.0.0.1', h2: true, log: () => undefined });
  try {
    await dns.promises.lookup('localhost', { family: 4 }).catch(() => undefined);
    await loadPage(new URL(`http://127.0.0.1:${listener.port}/?objects=3&size=100`), { strategy, m, warm: false, timeoutMs: 5000, now, headers: {} });
  } finally {
    await listener.close();
  }
}

function report(load: Awaited<ReturnType<typeof loadPage>>, url: URL, strategy: Strategy, seq: number, conditional: boolean): void {
  const all = [load.page, ...load.objects];
  const peer = url.hostname;
  const statuses = tally(all.map((o) => String(o.status)));
  const caches = all.map(cacheStatus).filter((c): c is string => c !== undefined);
  const detail = `strategy=${strategy} status=${statuses} objects=${load.objects.length} connections=${load.connections}${caches.length ? ` cache=${tally(caches)}` : ''}`;
  record('page_load', round(load.totalMs), 'ms', { peer, seq, detail });
  record('base_page', round(load.pageMs), 'ms', { peer, seq });
  record('objects_load', round(load.totalMs - load.pageMs), 'ms', { peer, seq });
  record('objects', load.objects.length, 'objects', { peer, seq });
  if (load.objects.length > 0) {
    const done = load.objects.map((o) => o.doneAt - load.page.doneAt).sort((a, b) => a - b);
    record('objects_median', round(median(done)), 'ms', { peer, seq });
    record('objects_spread', round(done[done.length - 1]! - done[0]!), 'ms', { peer, seq });
  }
  if (strategy === 'h2') record('pushed', load.objects.filter((o) => o.pushed).length, 'objects', { peer, seq });
  record('bytes', all.reduce((n, o) => n + o.bytes, 0), 'bytes', { peer, seq });
  record('connections', load.connections, 'connections', { peer, seq });
  if (load.lookups > 0) record('dns_time', round(load.dnsMs), 'ms', { peer, seq, detail: `lookups=${load.lookups}` });
  if (conditional) record('not_modified', all.filter((o) => o.status === 304).length, 'responses', { peer, seq });
  if (caches.length > 0) record('cache_hits', caches.filter((c) => c === 'HIT').length, 'objects', { peer, seq, detail: `of ${all.length}` });
  for (const o of load.objects) {
    const cache = cacheStatus(o);
    record('object_time', round(o.ms), 'ms', { peer: o.url.hostname, seq, detail: `path=${o.url.pathname}${o.url.search} status=${o.status} bytes=${o.bytes}${cache ? ` cache=${cache}` : ''}${o.pushed ? ' pushed=true' : ''} done=${round(o.doneAt - load.page.doneAt)} address=${o.address}` });
  }
}

/** The nearest cache's verdict: the first entry of X-Cache (`HIT from fwd-proxy, MISS from web`). */
function cacheStatus(o: FetchedObject): string | undefined {
  return /^\s*([A-Z]+)/.exec(o.headers['x-cache'] ?? '')?.[1];
}

const median = (sorted: number[]): number => (sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2);

/** `200:10,304:1` */
function tally(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v}:${n}`).join(',');
}

function pageUrl(args: Record<string, unknown>): URL {
  const text = stringArg(args, 'url');
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // reported below
  }
  if (!url || url.protocol !== 'http:') throw new Error(`argument "url" must be an http:// URL such as http://origin/?objects=10&size=1000, found ${JSON.stringify(text)}`);
  return url;
}

function strategyArg(args: Record<string, unknown>): Strategy {
  const s = args.strategy ?? 'persistent';
  if (!(STRATEGIES as readonly unknown[]).includes(s)) throw new Error(`argument "strategy" must be one of [${STRATEGIES.join(', ')}], found ${JSON.stringify(s)}`);
  return s as Strategy;
}

/** The proxy is resolved once, before any load is timed (a browser's proxy setting is an address it already knows). */
export async function proxyArg(args: Record<string, unknown>): Promise<Endpoint | undefined> {
  if (args.proxy === undefined) return undefined;
  const url = typeof args.proxy === 'string' ? endpointUrl(args.proxy, 3128) : undefined;
  if (!url || url.pathname !== '/') throw new Error(`argument "proxy" must be NODE, NODE:PORT or http://HOST:PORT (default port 3128), found ${JSON.stringify(args.proxy)}`);
  const port = url.port ? Number(url.port) : 80;
  try {
    const { address } = await dns.promises.lookup(url.hostname, { family: 4 });
    return { address, port };
  } catch (e) {
    throw new Error(`cannot resolve the proxy "${url.hostname}" (${(e as NodeJS.ErrnoException).code ?? String(e)}): name a lab node`);
  }
}

