// What an http-origin, http-forward-proxy or http-reverse-proxy node finds in `node.config`,
// checked at start-up with defaults filled in. Keys are written as in the topology (kebab-case).
import { boolean, byteSize, hostName, HttpConfigError, integer, object, optional, string, stringList } from './checks.js';
import type { Site } from './site.js';
import { endpointUrl } from './url.js';

export { HttpConfigError } from './checks.js';

export interface OriginSettings {
  port: number;
  /** Sites by Host; the first also answers a Host no site claims (and bare addresses). */
  sites: Site[];
  /** Accept HTTP/2 with prior knowledge (h2c) on the same port. */
  h2: boolean;
  /** HTTP/2 server push: a page's own objects are pushed with it (RFC 9113 §8.4), saving the round trip that asks for them. */
  push: boolean;
}

export interface ProxySettings {
  port: number;
  /** Bytes the cache may hold; 0: no caching (a plain proxy). */
  cacheSize: number;
  /** At most this many cached URLs (a cache of C objects, as the Zipf/LRU models count); undefined: bytes alone bound it. */
  cacheEntries?: number;
  maxObjectSize: number;
  /** Reverse proxy: the origin it fronts (`http://origin:80`). */
  origin?: URL;
  /** Reverse proxy: the Host it sends upstream; default the client's own. */
  host?: string;
  /** Upstream request timeout, ms. */
  timeoutMs: number;
}

const SITE_KEYS = ['objects', 'size', 'max-age', 'cache-control', 'base', 'aliases', 'files'];
const DEFAULT_OBJECTS = 10;
const DEFAULT_SIZE = 1000;
const DEFAULT_MAX_AGE = 60;

/** `node` names the default site, so `http://NODE/` works with no config at all. */
export function parseOriginConfig(raw: unknown, node: string, path = 'node.config'): OriginSettings {
  const o = object(raw ?? {}, path, ['port', 'sites', 'h2', 'push']);
  const sitesRaw = o.sites === undefined ? { [node]: {} } : object(o.sites, `${path}.sites`);
  const sites = Object.entries(sitesRaw).map(([name, s]) => parseSite(name, s ?? {}, `${path}.sites.${name}`));
  if (sites.length === 0) throw new HttpConfigError(`${path}.sites`, 'an origin needs at least one site, e.g. `sites: { www.foo.com: { objects: 10, size: 1000 } }`');
  const claimed = new Map<string, string>();
  for (const site of sites) {
    for (const host of [site.name, ...site.aliases]) {
      const other = claimed.get(host);
      if (other !== undefined) throw new HttpConfigError(`${path}.sites.${site.name}`, `host "${host}" is already served by site "${other}"; a Host names one site`);
      claimed.set(host, site.name);
    }
  }
  return {
    port: optional(o.port, 80, (v) => integer(v, `${path}.port`, 1, 65535)),
    sites,
    h2: optional(o.h2, true, (v) => boolean(v, `${path}.h2`)),
    push: optional(o.push, false, (v) => boolean(v, `${path}.push`)),
  };
}

function parseSite(name: string, raw: unknown, path: string): Site {
  const o = object(raw, path, SITE_KEYS);
  const siteName = hostName(name, path);
  const sizes = optional(o.size, [DEFAULT_SIZE], (v) => (Array.isArray(v) ? v : [v]).map((s, i) => byteSize(s, Array.isArray(v) ? `${path}.size[${i}]` : `${path}.size`)));
  if (sizes.length === 0) throw new HttpConfigError(`${path}.size`, 'expected a size or a non-empty list of sizes');
  if (o['max-age'] !== undefined && o['cache-control'] !== undefined) throw new HttpConfigError(path, 'give either max-age (seconds) or cache-control (the whole field), not both');
  const maxAge = o['cache-control'] === undefined ? optional(o['max-age'], DEFAULT_MAX_AGE, (v) => integer(v, `${path}.max-age`, 0, 2 ** 31 - 1)) : undefined;
  const cacheControl = o['cache-control'] === undefined ? `max-age=${maxAge}` : string(o['cache-control'], `${path}.cache-control`);
  const base = optional(o.base, '', (v) => {
    const url = endpointUrl(string(v, `${path}.base`), 80);
    if (!url || url.pathname !== '/' || url.search) throw new HttpConfigError(`${path}.base`, `expected where the page's objects live, as http://HOST[:PORT] (e.g. http://a128.g.akamai.net), found ${JSON.stringify(v)}`);
    return url.origin;
  });
  const files = optional(o.files, {} as Record<string, string>, (v) => {
    const f = object(v, `${path}.files`);
    for (const [p, text] of Object.entries(f)) {
      if (!p.startsWith('/')) throw new HttpConfigError(`${path}.files`, `a file's path starts with "/", found "${p}"`);
      string(text, `${path}.files.${p}`);
    }
    return f as Record<string, string>;
  });
  return {
    name: siteName,
    aliases: optional(o.aliases, [], (v) => stringList(v, `${path}.aliases`).map((a, i) => hostName(a, `${path}.aliases[${i}]`))),
    objects: optional(o.objects, DEFAULT_OBJECTS, (v) => integer(v, `${path}.objects`, 0, 10_000)),
    sizes,
    cacheControl,
    ...(maxAge === undefined ? {} : { maxAge }),
    base,
    files,
  };
}

const PROXY_KEYS = ['port', 'cache-size', 'cache-entries', 'max-object-size', 'timeout'];

export function parseProxyConfig(raw: unknown, kind: 'forward' | 'reverse', path = 'node.config'): ProxySettings {
  const o = object(raw ?? {}, path, kind === 'reverse' ? [...PROXY_KEYS, 'origin', 'host'] : PROXY_KEYS);
  const settings: ProxySettings = {
    port: optional(o.port, kind === 'forward' ? 3128 : 80, (v) => integer(v, `${path}.port`, 1, 65535)),
    cacheSize: optional(o['cache-size'], 64_000_000, (v) => byteSize(v, `${path}.cache-size`)),
    maxObjectSize: optional(o['max-object-size'], 8_000_000, (v) => byteSize(v, `${path}.max-object-size`)),
    timeoutMs: optional(o.timeout, 30_000, (v) => integer(v, `${path}.timeout`, 1, 600_000)),
    ...cacheBounds(o, path),
  };
  if (kind === 'reverse') {
    if (o.origin === undefined) throw new HttpConfigError(`${path}.origin`, 'a reverse proxy needs the origin it fronts, e.g. `origin: origin` (a node) or `origin: http://origin:8080`');
    const url = endpointUrl(string(o.origin, `${path}.origin`), 80);
    if (!url || url.pathname !== '/' || url.search) throw new HttpConfigError(`${path}.origin`, `expected NODE, HOST:PORT or http://HOST[:PORT], found ${JSON.stringify(o.origin)}`);
    settings.origin = url;
    if (o.host !== undefined) settings.host = hostName(o.host, `${path}.host`);
  }
  return settings;
}

/** `cache-entries` (and nothing else) of a config or an http-flush request: a cache bounded in objects. */
export function cacheBounds(o: Record<string, unknown>, path: string): { cacheEntries?: number } {
  return o['cache-entries'] === undefined ? {} : { cacheEntries: integer(o['cache-entries'], `${path}.cache-entries`, 0, 10_000_000) };
}
