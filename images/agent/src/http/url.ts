// Request targets and Host fields (RFC 9112 §3.2, RFC 9110 §7.2): what a server, a forward
// proxy and a reverse proxy need to know about where a request is going. Pure.

export type RequestTarget =
  /** `/path?query` — to an origin server (or a reverse proxy posing as one). */
  | { form: 'origin'; path: string }
  /** `http://host:port/path` — to a forward proxy. */
  | { form: 'absolute'; url: URL }
  | { form: 'asterisk' }
  /** `host:port` — CONNECT only. */
  | { form: 'authority'; authority: string };

export function parseTarget(target: string, method: string): RequestTarget | undefined {
  if (target === '*' && method === 'OPTIONS') return { form: 'asterisk' };
  if (method === 'CONNECT') return /^[^/\s]+:\d+$/.test(target) ? { form: 'authority', authority: target } : undefined;
  if (target.startsWith('/')) return { form: 'origin', path: target };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return undefined;
  try {
    return { form: 'absolute', url: new URL(target) };
  } catch {
    return undefined;
  }
}

/** The host part of a Host field or URL authority, lower case, without port or IPv6 brackets. */
export function hostOnly(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(1, a.indexOf(']') > 0 ? a.indexOf(']') : undefined);
  const colon = a.lastIndexOf(':');
  return colon >= 0 && /^\d*$/.test(a.slice(colon + 1)) ? a.slice(0, colon) : a;
}

/** A URL's port, or the scheme's default. */
export const portOf = (url: URL): number => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

/**
 * The cache's primary key (RFC 9111 §2): the target URI in a normal form — scheme and host in
 * lower case, the default port left out, path and query as sent — so that `http://Origin:80/a`
 * and `http://origin/a` share an entry.
 */
export function cacheKey(url: URL): string {
  const port = portOf(url);
  const defaultPort = url.protocol === 'https:' ? 443 : 80;
  return `${url.protocol}//${url.hostname.toLowerCase()}${port === defaultPort ? '' : `:${port}`}${url.pathname}${url.search}`;
}

/** `host:port` of a URL: requests to the same key may share a connection. */
export const originKey = (url: URL): string => `${url.hostname.toLowerCase()}:${portOf(url)}`;

/** Parses `host`, `host:port` or `http://host:port` (what configs and workload args write) into a URL. */
export function endpointUrl(text: string, defaultPort: number): URL | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== 'http:') return undefined;
    if (!url.port && !/^[a-z]+:\/\/[^/]+:\d+/i.test(withScheme)) url.port = defaultPort === 80 ? '' : String(defaultPort);
    return url;
  } catch {
    return undefined;
  }
}
