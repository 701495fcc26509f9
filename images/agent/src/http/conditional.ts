// Conditional requests (RFC 9110 §13), shared by the origin and the caches: whether a GET or
// HEAD with If-None-Match / If-Modified-Since gets 304 Not Modified, and the validators a cache
// sends when it revalidates a stored response.
import { parseHttpDate, splitList, type HeaderMap } from './headers.js';

export interface Validators {
  etag?: string;
  /** Last-Modified, ms since the epoch. */
  lastModified?: number;
}

/** Weak comparison (RFC 9110 §8.8.3.2): the opaque tags match, whatever their W/ prefixes. */
export const weakMatch = (a: string, b: string): boolean => a.replace(/^W\//, '') === b.replace(/^W\//, '');

/**
 * True when a GET/HEAD should be answered 304 (RFC 9110 §13.2.2 steps 3-4): If-None-Match, when
 * present, decides alone; otherwise If-Modified-Since, when the resource has a Last-Modified date
 * and was not modified after it.
 */
export function notModified(method: string, request: HeaderMap, current: Validators): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const inm = request['if-none-match'];
  if (inm !== undefined) {
    if (current.etag === undefined) return false;
    const tags = splitList(inm);
    return tags.includes('*') || tags.some((t) => weakMatch(t, current.etag!));
  }
  const since = parseHttpDate(request['if-modified-since']);
  if (since === undefined || current.lastModified === undefined) return false;
  // HTTP dates have one-second resolution: compare in whole seconds.
  return Math.floor(current.lastModified / 1000) <= Math.floor(since / 1000);
}

export function validatorsOf(headers: HeaderMap): Validators {
  const lastModified = parseHttpDate(headers['last-modified']);
  return { ...(headers.etag ? { etag: headers.etag } : {}), ...(lastModified !== undefined ? { lastModified } : {}) };
}

/** The fields a cache adds to revalidate a stored response (RFC 9111 §4.3.1): If-None-Match from its ETag, If-Modified-Since from its Last-Modified. */
export function conditionalFields(stored: HeaderMap): HeaderMap {
  return {
    ...(stored.etag ? { 'if-none-match': stored.etag } : {}),
    ...(stored['last-modified'] ? { 'if-modified-since': stored['last-modified'] } : {}),
  };
}

/** The client's own preconditions, which a cache evaluates itself rather than forwarding (it wants a full response to store). */
export function withoutConditionals(headers: HeaderMap): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) if (!name.startsWith('if-')) out[name] = value;
  return out;
}
