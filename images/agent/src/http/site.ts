// A generated Web site (the lecture's "Web page": a base HTML file referencing n objects), as
// pure functions of the site's settings and the requested path: the page, each object's bytes,
// and the metadata (Last-Modified, a strong ETag, Cache-Control / Expires) that caches and
// conditional requests rely on.
import { httpDate, type HeaderMap } from './headers.js';

export interface Site {
  /** The Host this site answers to (lower case), plus its aliases. */
  name: string;
  aliases: string[];
  /** n: objects the base page references. */
  objects: number;
  /** Object sizes in bytes, cycled over the objects (object k gets sizes[(k-1) % length]). */
  sizes: number[];
  /** The Cache-Control value of pages and objects, e.g. `max-age=60` or `no-cache`. */
  cacheControl: string;
  /** Seconds for Expires (= Date + maxAge), when the site gives objects a max-age. */
  maxAge?: number;
  /** Where the page points its objects: '' for the site itself, or another site's origin ("CDN-ized" URLs, e.g. http://a128.g.akamai.net). */
  base: string;
  /** Fixed files by path (`/robots.txt`), served as text with the same metadata. */
  files: Record<string, string>;
}

export interface Resource {
  status: number;
  headers: HeaderMap;
  body: Buffer;
}

/** Bounds on what a query may ask the generator for, so a typo cannot exhaust the origin's memory. */
export const MAX_OBJECTS = 10_000;
export const MAX_SIZE = 100_000_000;

/** FNV-1a: a stable, fast hash for ETags (the same content always gets the same tag). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The generator's parameters for one request: the site's defaults, or the query's (`/?objects=20&size=5000`). */
export interface PageShape {
  objects: number;
  /** A size for every object, when the query fixed one. */
  size?: number;
}

export function pageShape(site: Site, query: URLSearchParams): PageShape | string {
  const objects = query.get('objects');
  const size = query.get('size');
  const shape: PageShape = { objects: site.objects };
  if (objects !== null) {
    if (!/^\d+$/.test(objects) || Number(objects) > MAX_OBJECTS) return `objects must be an integer from 0 to ${MAX_OBJECTS}, found "${objects}"`;
    shape.objects = Number(objects);
  }
  if (size !== null) {
    if (!/^\d+$/.test(size) || Number(size) > MAX_SIZE) return `size must be an integer number of bytes from 0 to ${MAX_SIZE}, found "${size}"`;
    shape.size = Number(size);
  }
  return shape;
}

/** The object URLs a page references, in page order. */
export function objectRefs(site: Site, shape: PageShape): string[] {
  const query = shape.size === undefined ? '' : `?size=${shape.size}`;
  return Array.from({ length: shape.objects }, (_, i) => `${site.base}/obj/${i + 1}${query}`);
}

export function pageHtml(site: Site, shape: PageShape, server: string): string {
  const imgs = objectRefs(site, shape).map((ref) => `<img src="${ref}" alt="">`);
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${site.name}</title></head>`,
    `<body><h1>${site.name}</h1>`,
    `<p>${shape.objects} objects, served by ${server} (emunet http-origin)</p>`,
    ...imgs,
    '</body></html>',
    '',
  ].join('\n');
}

/** Object k's bytes: a repeated line naming it, so a body can be recognised in a capture. */
export function objectBody(site: Site, path: string, size: number): Buffer {
  return size === 0 ? Buffer.alloc(0) : Buffer.alloc(size, `${site.name}${path} `);
}

export function objectSize(site: Site, index: number, shape: PageShape): number {
  return shape.size ?? site.sizes[(index - 1) % site.sizes.length] ?? 0;
}

/** Validators and freshness of a representation that last changed at `lastModified` (ms). */
export function metadata(site: Site, key: string, lastModified: number, now: number): HeaderMap {
  return {
    date: httpDate(now),
    'last-modified': httpDate(lastModified),
    etag: `"${fnv1a(`${site.name}|${key}|${Math.floor(lastModified / 1000)}`)}"`,
    'cache-control': site.cacheControl,
    ...(site.maxAge === undefined ? {} : { expires: httpDate(now + site.maxAge * 1000) }),
  };
}

/**
 * The site's static resources: `/` (and `/index.html`) the base page, `/obj/K` the objects
 * (`?size=N` overrides the size), and the configured files. undefined: not found here.
 * A string: the query is malformed (a 400 with that text).
 */
export function staticResource(site: Site, pathname: string, query: URLSearchParams, context: { lastModified: number; now: number; server: string }): Resource | string | undefined {
  const text = (body: string, type: string, key: string): Resource => ({
    status: 200,
    headers: { 'content-type': type, ...metadata(site, key, context.lastModified, context.now) },
    body: Buffer.from(body),
  });
  if (pathname === '/' || pathname === '/index.html') {
    const shape = pageShape(site, query);
    if (typeof shape === 'string') return shape;
    return text(pageHtml(site, shape, context.server), 'text/html; charset=utf-8', `page:${shape.objects}:${shape.size ?? ''}`);
  }
  const obj = /^\/obj\/(\d+)$/.exec(pathname);
  if (obj) {
    const index = Number(obj[1]);
    const shape = pageShape(site, new URLSearchParams(query.has('size') ? { size: query.get('size')! } : {}));
    if (typeof shape === 'string') return shape;
    // Every /obj/K up to the bound exists, so a page asked for more objects than the site's default still loads.
    if (index < 1 || index > MAX_OBJECTS) return undefined;
    const size = objectSize(site, index, shape);
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream', ...metadata(site, `obj:${index}:${size}`, context.lastModified, context.now) },
      body: objectBody(site, pathname, size),
    };
  }
  const file = site.files[pathname];
  if (file !== undefined) return text(file, pathname.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', `file:${pathname}:${file.length}`);
  return undefined;
}
