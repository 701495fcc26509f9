// Loads a page the way the chosen strategy says (fetch-plan.ts): the base HTML first, then its
// embedded objects lane by lane, over raw HTTP/1.x connections or one HTTP/2 session, directly
// or through a forward proxy. Reports what happened on the wire: every response with its
// timing, and the connections and name lookups it took.
import dns from 'node:dns';
import net from 'node:net';
import { H1Connection, type ClientRequest, type ClientResponse } from './h1-connection.js';
import { H2Connection } from './h2-connection.js';
import type { HeaderMap } from './headers.js';
import { isPooled, planFetch, type Batch, type ConnectionUse, type Strategy } from './fetch-plan.js';
import { embeddedObjects } from './page.js';
import { originKey, portOf } from './url.js';

export interface Endpoint { address: string; port: number }

export interface FetchOptions {
  strategy: Strategy;
  /** Parallel connections of the concurrent strategy. */
  m: number;
  /** A forward proxy every request goes to (absolute-form), already resolved. */
  proxy?: Endpoint;
  /** Open the page's connection before the clock starts (the lecture's "pipelined/persistent on a warm connection"). */
  warm: boolean;
  timeoutMs: number;
  now(): number;
  /** Fields added to every request (e.g. User-Agent). */
  headers: HeaderMap;
  /** A browser cache: conditional requests for what it holds (conditional GET). */
  clientCache?: ClientCache;
}

export interface FetchedObject {
  url: URL;
  status: number;
  headers: HeaderMap;
  bytes: number;
  body: Buffer;
  /** ms from when the strategy started on it (connection set-up included) to its last byte. */
  ms: number;
  /** Clock reading (ms) at its last byte: objects' completion times compare across lanes. */
  doneAt: number;
  /** The server pushed it (HTTP/2 server push): no request was sent for it. */
  pushed: boolean;
  /** The server's address it came from (through a proxy: the proxy's). */
  address: string;
}

export interface PageLoad {
  page: FetchedObject;
  objects: FetchedObject[];
  /** ms: start → base page complete → last object complete. */
  pageMs: number;
  totalMs: number;
  connections: number;
  /** ms spent resolving names, and how many were resolved. */
  dnsMs: number;
  lookups: number;
}

/** What a browser cache keeps of a response to revalidate it later: its validators and body. */
export class ClientCache {
  private readonly entries = new Map<string, { headers: HeaderMap; body: Buffer }>();

  conditionalFields(url: URL): HeaderMap {
    const e = this.entries.get(url.href);
    if (!e) return {};
    return { ...(e.headers.etag ? { 'if-none-match': e.headers.etag } : {}), ...(e.headers['last-modified'] ? { 'if-modified-since': e.headers['last-modified'] } : {}) };
  }

  /** A 200 with a validator is kept; a 304 leaves the kept copy (whose body it stands for). */
  update(url: URL, response: { status: number; headers: HeaderMap; body: Buffer }): void {
    if (response.status === 200 && (response.headers.etag || response.headers['last-modified'])) this.entries.set(url.href, { headers: response.headers, body: response.body });
  }

  body(url: URL): Buffer | undefined {
    return this.entries.get(url.href)?.body;
  }
}

type Connection = H1Connection | H2Connection;

/** One page load: its own connections and name lookups (none survive it). */
class Loader {
  private readonly pool = new Map<string, Connection>();
  private readonly opened: Connection[] = [];
  private readonly addresses = new Map<string, Promise<string>>();
  connections = 0;
  dnsMs = 0;
  lookups = 0;

  constructor(private readonly o: FetchOptions) {}

  endpointOf(url: URL): string {
    return this.o.proxy ? `${this.o.proxy.address}:${this.o.proxy.port}` : originKey(url);
  }

  async fetch(url: URL, use: ConnectionUse, slot = 0): Promise<FetchedObject> {
    const issued = this.o.now();
    const connection = isPooled(use) ? await this.pooled(url, use, slot) : await this.open(url, use);
    const response = await connection.send(this.request(url, use));
    if (!isPooled(use)) connection.close();
    return this.result(url, response, issued, connection);
  }

  async batch(urls: URL[], batch: Batch): Promise<FetchedObject[]> {
    if (batch.use === 'new-per-request' || batch.use === 'sequential') {
      const results: FetchedObject[] = [];
      for (const i of batch.objects) results.push(await this.fetch(urls[i]!, batch.use, batch.connection));
      return results;
    }
    // Pipelined and multiplexed: every request goes out before any response is awaited.
    const issued = this.o.now();
    const targets = batch.objects.map((i) => urls[i]!);
    const connection = await this.pooled(targets[0]!, batch.use);
    const settled = await Promise.allSettled(targets.map((url) => connection.send(this.request(url, batch.use))));
    const results: FetchedObject[] = [];
    for (const [k, s] of settled.entries()) {
      // A server may close a pipelined connection early (RFC 9112 §9.3.2): what was not answered is asked again.
      results.push(s.status === 'fulfilled' ? this.result(targets[k]!, s.value, issued, connection) : await this.fetch(targets[k]!, batch.use === 'pipelined' ? 'sequential' : batch.use));
    }
    return results;
  }

  closeAll(): void {
    for (const c of this.opened) c.close();
  }

  /** Opens the pooled connection for `url` before timing starts (not counted: the load finds it open). */
  async warm(url: URL, use: ConnectionUse): Promise<void> {
    await this.pooled(url, use);
    this.connections = 0;
    this.dnsMs = 0;
    this.lookups = 0;
  }

  private request(url: URL, use: ConnectionUse): ClientRequest {
    const headers: HeaderMap = { host: url.host, ...this.o.headers, ...(this.o.clientCache?.conditionalFields(url) ?? {}) };
    return { method: 'GET', target: this.o.proxy ? url.href : `${url.pathname}${url.search}`, headers, version: use === 'new-per-request' ? '1.0' : '1.1' };
  }

  private result(url: URL, r: ClientResponse, issued: number, connection: Connection): FetchedObject {
    // A pushed response arrived before it was asked for: it took no time of its own.
    return { url, status: r.status, headers: r.headers, bytes: r.body.length, body: r.body, ms: Math.max(0, r.doneAt - issued), doneAt: r.doneAt, pushed: r.pushed === true, address: connection.label.replace(/:\d+$/, '') };
  }

  private async pooled(url: URL, use: ConnectionUse, slot = 0): Promise<Connection> {
    const key = `${use === 'multiplexed' ? 'h2' : 'h1'} ${this.endpointOf(url)} ${slot}`;
    const existing = this.pool.get(key);
    if (existing?.reusable) return existing;
    const fresh = await this.open(url, use);
    this.pool.set(key, fresh);
    return fresh;
  }

  private async open(url: URL, use: ConnectionUse): Promise<Connection> {
    const address = this.o.proxy?.address ?? (await this.resolve(url.hostname));
    const port = this.o.proxy?.port ?? portOf(url);
    const options = { timeoutMs: this.o.timeoutMs, now: this.o.now };
    const connection = use === 'multiplexed' ? await H2Connection.open(address, port, url.host, options) : await H1Connection.open(address, port, options);
    this.connections++;
    this.opened.push(connection);
    return connection;
  }

  /** Each name once per page load, as getaddrinfo answers it (/etc/hosts, then the lab resolver). */
  private resolve(host: string): Promise<string> {
    if (net.isIPv4(host)) return Promise.resolve(host);
    let address = this.addresses.get(host);
    if (!address) {
      const started = this.o.now();
      address = dns.promises.lookup(host, { family: 4 }).then(
        (r) => {
          this.dnsMs += this.o.now() - started;
          this.lookups++;
          return r.address;
        },
        (e: NodeJS.ErrnoException) => {
          throw new Error(`cannot resolve "${host}" (${e.code ?? e.message}): lab names come from /etc/hosts (node names) and the lab's resolver`);
        },
      );
      this.addresses.set(host, address);
    }
    return address;
  }
}

export async function loadPage(pageUrl: URL, o: FetchOptions): Promise<PageLoad> {
  const loader = new Loader(o);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`loading ${pageUrl.href} (${o.strategy}) took longer than ${o.timeoutMs} ms`)), o.timeoutMs);
  });
  const loading = load(loader, pageUrl, o);
  // After a timeout the abandoned load fails as its connections close: that is expected, not unhandled.
  loading.catch(() => undefined);
  try {
    return await Promise.race([loading, timeout]);
  } finally {
    clearTimeout(timer);
    loader.closeAll();
  }
}

async function load(loader: Loader, pageUrl: URL, o: FetchOptions): Promise<PageLoad> {
  const emptyPlan = planFetch(o.strategy, [], o.m);
  if (o.warm && isPooled(emptyPlan.page)) await loader.warm(pageUrl, emptyPlan.page);
  const started = o.now();
  const page = await loader.fetch(pageUrl, emptyPlan.page);
  const pageMs = o.now() - started;
  const html = page.status === 304 ? o.clientCache?.body(pageUrl) : page.status === 200 ? page.body : undefined;
  o.clientCache?.update(pageUrl, page);
  const urls = html ? embeddedObjects(html.toString('utf8'), pageUrl) : [];
  const plan = planFetch(o.strategy, urls.map((u) => loader.endpointOf(u)), o.m);
  const lanes = await Promise.all(plan.lanes.map(async (lane) => {
    const results: FetchedObject[] = [];
    for (const batch of lane) results.push(...(await loader.batch(urls, batch)));
    return results;
  }));
  const totalMs = o.now() - started;
  // Back in page order (lanes finish in any order); each result carries the very URL object it was asked for.
  const objects = lanes.flat().sort((a, b) => urls.indexOf(a.url) - urls.indexOf(b.url));
  for (const obj of objects) o.clientCache?.update(obj.url, obj);
  return { page, objects, pageMs, totalMs, connections: loader.connections, dnsMs: loader.dnsMs, lookups: loader.lookups };
}
