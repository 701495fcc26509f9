// Header fields as the HTTP agents handle them: one lower-case name -> one string (RFC 9110
// §5.3: repeated fields combine into one comma-separated list), plus the small parsers the
// cache and the origin share (Cache-Control directives, HTTP dates, hop-by-hop fields).

export type HeaderMap = Record<string, string>;

/** Node gives `string | string[] | undefined` per name (and `:pseudo` fields on HTTP/2): one string per field, pseudo-headers left out. */
export function headerMap(raw: Record<string, string | string[] | number | undefined>): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || name.startsWith(':')) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** Splits a list-valued field on commas outside quoted strings, trimming each member. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (c === ',' && !quoted) {
      items.push(current.trim());
      current = '';
    } else current += c;
  }
  items.push(current.trim());
  return items.filter((s) => s !== '');
}

/** Cache-Control directives (RFC 9111 §5.2): lower-case names; a value when one was given (quotes removed), else true. */
export function cacheControl(value: string | undefined): Map<string, string | true> {
  const directives = new Map<string, string | true>();
  for (const item of splitList(value)) {
    const eq = item.indexOf('=');
    if (eq < 0) directives.set(item.toLowerCase(), true);
    else directives.set(item.slice(0, eq).trim().toLowerCase(), item.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return directives;
}

/**
 * A delta-seconds directive's value (RFC 9111 §1.2.2): a non-negative integer, capped at 2^31;
 * undefined when absent or malformed (callers then treat the response as having none).
 */
export function deltaSeconds(directives: Map<string, string | true>, name: string): number | undefined {
  const v = directives.get(name);
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return undefined;
  return Math.min(Number(v), 2 ** 31);
}

/** IMF-fixdate, the only form a sender may generate (RFC 9110 §5.6.7). */
export const httpDate = (ms: number): string => new Date(ms).toUTCString();

/** A received HTTP date in ms since the epoch; undefined when it does not parse (an invalid Expires means "already expired"). */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Fields that describe one connection, not the message (RFC 9110 §7.6.1): a proxy never forwards them. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** The end-to-end fields of a message: hop-by-hop ones, and those its Connection field names, removed. */
export function endToEnd(headers: HeaderMap): HeaderMap {
  const named = splitList(headers.connection).map((n) => n.toLowerCase());
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.includes(name) && !named.includes(name)) out[name] = value;
  return out;
}

/** Fields HTTP/2 forbids (RFC 9113 §8.2.2): connection-specific ones, dropped before a response goes out on a stream. */
export function withoutConnectionFields(headers: HeaderMap): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.includes(name)) out[name] = value;
  return out;
}
