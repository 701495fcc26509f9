// RFC 9111 for a shared cache, as pure functions of headers and times (ms since the epoch):
// whether a response may be stored (§3), its freshness lifetime (§4.2.1, §4.2.2), its current
// age (§4.2.3), and whether a stored response may answer a request without validation (§4.2,
// §5.2.1 request directives, §5.2.2 response directives).
import { cacheControl, deltaSeconds, parseHttpDate, splitList, type HeaderMap } from './headers.js';

/** A response as a cache keeps it, with the times that make its age computable. */
export interface TimedResponse {
  status: number;
  headers: HeaderMap;
  /** When the request that produced it was sent (request_time). */
  requestTime: number;
  /** When it was received (response_time). */
  responseTime: number;
}

/** Status codes cacheable without explicit freshness (RFC 9110 §15.1): they may get a heuristic lifetime. */
const HEURISTIC_STATUSES = [200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501];
/** Statuses this cache knows how to store and serve (a 206 needs range handling, which it does not do). */
const UNDERSTOOD = [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501];
/** RFC 9111 §4.2.2 suggests 10% of the time since Last-Modified; we cap it at a day, as common caches do. */
const HEURISTIC_FRACTION = 0.1;
const HEURISTIC_CAP_S = 86_400;

export type Storability = { storable: true } | { storable: false; reason: string };

/** RFC 9111 §3 for a shared cache. */
export function storability(method: string, request: HeaderMap, status: number, response: HeaderMap): Storability {
  const no = (reason: string): Storability => ({ storable: false, reason });
  if (method !== 'GET') return no(`method ${method}`);
  if (!UNDERSTOOD.includes(status)) return no(`status ${status}`);
  const req = cacheControl(request['cache-control']);
  const res = cacheControl(response['cache-control']);
  if (req.has('no-store')) return no('request no-store');
  if (res.has('no-store')) return no('response no-store');
  // `private` with field names only restricts those fields; without, the whole response is for one user.
  if (res.get('private') === true) return no('response private');
  if (request.authorization !== undefined && !res.has('public') && !res.has('s-maxage') && !res.has('must-revalidate')) return no('request carries Authorization');
  if (splitList(response.vary).includes('*')) return no('Vary: *');
  const explicit = res.has('public') || res.has('max-age') || res.has('s-maxage') || response.expires !== undefined;
  // A response that says nothing about freshness and has no validator could never be served: not worth the space.
  if (!explicit && !HEURISTIC_STATUSES.includes(status)) return no(`status ${status} without explicit freshness`);
  if (!explicit && response['last-modified'] === undefined && response.etag === undefined && !res.has('no-cache')) return no('no freshness information and no validator');
  return { storable: true };
}

/** Freshness lifetime in seconds (RFC 9111 §4.2.1): s-maxage, max-age, Expires − Date, or a heuristic. */
export function freshnessLifetime(r: TimedResponse): number {
  const cc = cacheControl(r.headers['cache-control']);
  const sMaxage = deltaSeconds(cc, 's-maxage');
  if (sMaxage !== undefined) return sMaxage;
  const maxAge = deltaSeconds(cc, 'max-age');
  if (maxAge !== undefined) return maxAge;
  const date = parseHttpDate(r.headers.date) ?? r.responseTime;
  if (r.headers.expires !== undefined) {
    const expires = parseHttpDate(r.headers.expires);
    // An invalid Expires (e.g. "0") means already expired (§5.3).
    return expires === undefined ? 0 : Math.max(0, Math.floor((expires - date) / 1000));
  }
  const lastModified = parseHttpDate(r.headers['last-modified']);
  if (lastModified !== undefined && (HEURISTIC_STATUSES.includes(r.status) || cc.has('public'))) {
    return Math.min(HEURISTIC_CAP_S, Math.max(0, Math.floor(((date - lastModified) / 1000) * HEURISTIC_FRACTION)));
  }
  return 0;
}

/** Current age in seconds (RFC 9111 §4.2.3), from the Age and Date fields and the cache's own times. */
export function currentAge(r: TimedResponse, now: number): number {
  const ageValue = Number(/^\d+$/.test(r.headers.age ?? '') ? r.headers.age : 0);
  const dateValue = parseHttpDate(r.headers.date) ?? r.responseTime;
  const apparentAge = Math.max(0, (r.responseTime - dateValue) / 1000);
  const responseDelay = (r.responseTime - r.requestTime) / 1000;
  const correctedAgeValue = ageValue + responseDelay;
  const correctedInitialAge = Math.max(apparentAge, correctedAgeValue);
  const residentTime = (now - r.responseTime) / 1000;
  return correctedInitialAge + residentTime;
}

/** What a cache may do with a stored response for a request. */
export type Usability =
  | { use: 'fresh'; age: number }
  /** Served although stale, because the request allowed it (max-stale). */
  | { use: 'stale-allowed'; age: number }
  | { use: 'validate'; age: number; reason: string };

/** RFC 9111 §4.2 with the request's directives (§5.2.1) and the response's (§5.2.2) for a shared cache. */
export function usability(stored: TimedResponse, request: HeaderMap, now: number): Usability {
  const age = currentAge(stored, now);
  const lifetime = freshnessLifetime(stored);
  const req = cacheControl(request['cache-control']);
  const res = cacheControl(stored.headers['cache-control']);
  const validate = (reason: string): Usability => ({ use: 'validate', age, reason });
  // `no-cache` with field names only concerns those fields; without, every use must be validated.
  if (res.get('no-cache') === true) return validate('response no-cache');
  if (req.has('no-cache') || (request['cache-control'] === undefined && splitList(request.pragma).includes('no-cache'))) return validate('request no-cache');
  const maxAge = deltaSeconds(req, 'max-age');
  if (maxAge !== undefined && age > maxAge) return validate(`age ${Math.floor(age)} s > request max-age ${maxAge}`);
  const minFresh = deltaSeconds(req, 'min-fresh');
  if (minFresh !== undefined && lifetime - age < minFresh) return validate(`fresh for less than min-fresh ${minFresh} s`);
  if (lifetime > age) return { use: 'fresh', age };
  // Stale. A request may accept that (max-stale), unless the origin forbade it for shared caches.
  const mustRevalidate = res.has('must-revalidate') || res.has('proxy-revalidate') || res.has('s-maxage');
  if (!mustRevalidate && req.has('max-stale')) {
    const limit = deltaSeconds(req, 'max-stale');
    if (limit === undefined || age - lifetime <= limit) return { use: 'stale-allowed', age };
  }
  return validate(`stale: age ${Math.floor(age)} s >= lifetime ${lifetime} s`);
}

/** The request header values a stored response was selected with, for the fields its Vary names (RFC 9111 §4.1). */
export function varyKey(response: HeaderMap, request: HeaderMap): Record<string, string> {
  const key: Record<string, string> = {};
  for (const name of splitList(response.vary).map((n) => n.toLowerCase())) key[name] = normalizeFieldValue(request[name]);
  return key;
}

/** Whether a new request selects a stored response whose selecting header values are `key`. */
export function varyMatches(key: Record<string, string>, request: HeaderMap): boolean {
  return Object.entries(key).every(([name, value]) => normalizeFieldValue(request[name]) === value);
}

/** §4.1 allows normalising whitespace; an absent field only matches an absent one. */
const normalizeFieldValue = (v: string | undefined): string => (v === undefined ? '\u0000absent' : v.trim().replace(/\s*,\s*/g, ',').replace(/\s+/g, ' '));
