// The origin server's request handling (pure of sockets: request in, response out): virtual
// hosting by Host (RFC 9110 §7.2; HTTP/1.1 without Host is a 400, RFC 9112 §3.2), the generated
// sites, conditional GET answered 304 without a body (RFC 9110 §13), HEAD, and a dynamic URL
// whose response is computed per request and never cached.
import { notModified, validatorsOf } from './conditional.js';
import type { OriginSettings } from './config.js';
import { httpDate, type HeaderMap } from './headers.js';
import type { HttpRequest, HttpResponse } from './server.js';
import { embeddedObjects } from './page.js';
import { staticResource, type Site } from './site.js';
import { hostOnly, parseTarget } from './url.js';

const COUNTERS = ['requests', 'ok', 'not_modified', 'bad_request', 'not_found', 'method_not_allowed', 'head', 'dynamic', 'h1_0', 'h1_1', 'h2', 'bytes_sent'] as const;
export type OriginCounters = Record<(typeof COUNTERS)[number], number>;

export interface OriginContext {
  /** This node's name (in pages and the Server field). */
  server: string;
  /** When the content last changed (ms; the agent's start, whole seconds). */
  lastModified: number;
  now(): number;
}

export class Origin {
  readonly counters = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as OriginCounters;
  private readonly byHost = new Map<string, Site>();

  constructor(private readonly settings: OriginSettings, private readonly context: OriginContext) {
    for (const site of settings.sites) for (const host of [site.name, ...site.aliases]) this.byHost.set(host, site);
  }

  /** The site a Host field names; the first site for any other Host (as the first virtual host of common servers). */
  siteFor(host: string): Site {
    return this.byHost.get(hostOnly(host)) ?? this.settings.sites[0]!;
  }

  async handle(request: HttpRequest): Promise<HttpResponse> {
    const response = this.respond(request);
    this.count(request, response);
    response.headers.server = `emunet-origin/${this.context.server}`;
    return response;
  }

  private respond(request: HttpRequest): HttpResponse {
    const now = this.context.now();
    const plain = (status: number, text: string, extra: HeaderMap = {}): HttpResponse => ({ status, headers: { 'content-type': 'text/plain; charset=utf-8', date: httpDate(now), ...extra }, body: Buffer.from(`${text}\n`) });
    if (request.version === '1.1' && request.headers.host === undefined) return plain(400, 'Bad Request: HTTP/1.1 requests must carry a Host field (RFC 9112 §3.2)');
    const target = parseTarget(request.target, request.method);
    // An origin also accepts absolute-form (RFC 9112 §3.2.2); its authority then wins over Host.
    if (!target || (target.form !== 'origin' && target.form !== 'absolute')) return plain(400, `Bad Request: cannot serve request target "${request.target}"`);
    const url = target.form === 'absolute' ? target.url : new URL(target.path, 'http://origin.invalid');
    const site = this.siteFor(target.form === 'absolute' ? target.url.host : request.headers.host ?? '');
    if (request.method !== 'GET' && request.method !== 'HEAD' && !(request.method === 'POST' && url.pathname === '/dynamic')) {
      return plain(405, `Method Not Allowed: this origin serves GET and HEAD (and POST to /dynamic)`, { allow: 'GET, HEAD' });
    }
    if (url.pathname === '/dynamic') return this.dynamic(site, request, now);
    const found = staticResource(site, url.pathname, url.searchParams, { lastModified: this.context.lastModified, now, server: this.context.server });
    if (found === undefined) return plain(404, `Not Found: ${url.pathname} on ${site.name} (pages: /, /?objects=N&size=BYTES; objects: /obj/K)`);
    if (typeof found === 'string') return plain(400, `Bad Request: ${found}`);
    if (notModified(request.method, request.headers, validatorsOf(found.headers))) {
      // 304 carries the fields a 200 would have that caches update (RFC 9110 §15.4.5), and no body.
      const { etag, 'last-modified': lm, 'cache-control': cc, expires, date } = found.headers;
      return { status: 304, headers: { ...(etag ? { etag } : {}), ...(lm ? { 'last-modified': lm } : {}), ...(cc ? { 'cache-control': cc } : {}), ...(expires ? { expires } : {}), ...(date ? { date } : {}) } };
    }
    if (this.settings.push && request.version === '2' && request.method === 'GET' && (found.headers['content-type'] ?? '').startsWith('text/html')) return { ...found, push: ownObjects(found.body, new URL(`${url.pathname}${url.search}`, `http://${request.headers.host ?? site.name}`)) };
    return found;
  }

  /** "A URL that runs code": computed on every request, so no cache may keep it. */
  private dynamic(site: Site, request: HttpRequest, now: number): HttpResponse {
    const body = JSON.stringify({ site: site.name, server: this.context.server, client: request.client, time: new Date(now).toISOString(), request: this.counters.dynamic + 1, echo: request.body.length > 0 ? request.body.toString('utf8').slice(0, 200) : undefined }) + '\n';
    return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', date: httpDate(now) }, body: Buffer.from(body) };
  }

  private count(request: HttpRequest, response: HttpResponse): void {
    const c = this.counters;
    c.requests++;
    c[request.version === '2' ? 'h2' : request.version === '1.0' ? 'h1_0' : 'h1_1']++;
    if (request.method === 'HEAD') c.head++;
    if (request.target.startsWith('/dynamic') && response.status === 200) c.dynamic++;
    if (response.status === 200) c.ok++;
    else if (response.status === 304) c.not_modified++;
    else if (response.status === 400) c.bad_request++;
    else if (response.status === 404) c.not_found++;
    else if (response.status === 405) c.method_not_allowed++;
    if (request.method !== 'HEAD') c.bytes_sent += response.body?.length ?? 0;
  }
}

/** The objects a page embeds that this server holds (same host as the page): what push may send. */
function ownObjects(html: Buffer | undefined, pageUrl: URL): string[] {
  if (!html) return [];
  return embeddedObjects(html.toString('utf8'), pageUrl).filter((u) => u.host === pageUrl.host).map((u) => `${u.pathname}${u.search}`);
}
