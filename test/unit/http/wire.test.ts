// The client's HTTP/1.x response parser (what pipelining rests on), conditional requests, request
// targets and Host handling, and the embedded objects a page names. Pure: bytes and strings in.
import { describe, expect, it } from 'vitest';
import { notModified } from '../../../images/agent/src/http/conditional.js';
import { cacheControl, endToEnd, httpDate } from '../../../images/agent/src/http/headers.js';
import { embeddedObjects } from '../../../images/agent/src/http/page.js';
import { ResponseParser } from '../../../images/agent/src/http/response-parser.js';
import { cacheKey, hostOnly, parseTarget } from '../../../images/agent/src/http/url.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('ResponseParser', () => {
  it('reads back-to-back responses in order, whatever the chunking (pipelining)', () => {
    const wire = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnopHTTP/1.1 304 Not Modified\r\nETag: "a"\r\n\r\n';
    for (const size of [1, 7, wire.length]) {
      const parser = new ResponseParser(() => false);
      const out = [];
      for (let i = 0; i < wire.length; i += size) out.push(...parser.push(bytes(wire.slice(i, i + size))));
      expect(out.map((r) => [r.status, r.body.toString()])).toEqual([[200, 'hello'], [404, 'nop'], [304, '']]);
      expect(parser.idle).toBe(true);
    }
  });

  it('decodes chunked bodies with extensions and trailers', () => {
    const parser = new ResponseParser(() => false);
    const [r] = parser.push(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n'));
    expect(r?.body.toString()).toBe('hello world');
  });

  it('gives a HEAD response no body even with a Content-Length, and skips 100 Continue', () => {
    const methods = ['HEAD', 'GET'];
    const parser = new ResponseParser(() => methods[0] === 'HEAD');
    const [head] = parser.push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'));
    expect(head?.body.length).toBe(0);
    methods.shift();
    const [get] = parser.push(bytes('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    expect(get?.status).toBe(200);
  });

  it('ends an unframed HTTP/1.0 body at the close, and calls a close mid-body an error', () => {
    const parser = new ResponseParser(() => false);
    expect(parser.push(bytes('HTTP/1.0 200 OK\r\n\r\nall of it'))).toEqual([]);
    expect(parser.end()?.body.toString()).toBe('all of it');
    const cut = new ResponseParser(() => false);
    cut.push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    expect(() => cut.end()).toThrow(/closed in the middle of a response \(body\)/);
  });
});

describe('conditional GET (RFC 9110 §13)', () => {
  const current = { etag: '"v1"', lastModified: Date.UTC(2026, 0, 1) };
  it('answers If-None-Match by weak comparison, and lets it override If-Modified-Since', () => {
    expect(notModified('GET', { 'if-none-match': 'W/"v1"' }, current)).toBe(true);
    expect(notModified('GET', { 'if-none-match': '"v0", "v1"' }, current)).toBe(true);
    expect(notModified('GET', { 'if-none-match': '"v0"', 'if-modified-since': httpDate(Date.UTC(2027, 0, 1)) }, current)).toBe(false);
  });

  it('answers If-Modified-Since to the second, and never for other methods', () => {
    expect(notModified('HEAD', { 'if-modified-since': httpDate(current.lastModified) }, current)).toBe(true);
    expect(notModified('GET', { 'if-modified-since': httpDate(current.lastModified - 1000) }, current)).toBe(false);
    expect(notModified('POST', { 'if-none-match': '*' }, current)).toBe(false);
  });
});

describe('targets, Host and header fields', () => {
  it('tells origin-form from absolute-form, and CONNECT\'s authority-form', () => {
    expect(parseTarget('/obj/1?size=5', 'GET')).toEqual({ form: 'origin', path: '/obj/1?size=5' });
    expect(parseTarget('http://www.foo.com:8080/x', 'GET')).toMatchObject({ form: 'absolute' });
    expect(parseTarget('origin:443', 'CONNECT')).toEqual({ form: 'authority', authority: 'origin:443' });
    expect(parseTarget('obj', 'GET')).toBeUndefined();
  });

  it('compares hosts without port or case, and keys the cache on a normal form of the URL', () => {
    expect(hostOnly('WWW.Foo.com:8080')).toBe('www.foo.com');
    expect(hostOnly('[::1]:80')).toBe('::1');
    expect(cacheKey(new URL('http://Origin:80/a?b=1'))).toBe('http://origin/a?b=1');
    expect(cacheKey(new URL('http://origin:8080/a'))).toBe('http://origin:8080/a');
  });

  it('parses Cache-Control directives and drops hop-by-hop fields (and those Connection names)', () => {
    expect([...cacheControl('max-age=60, no-cache="set-cookie", Public')]).toEqual([['max-age', '60'], ['no-cache', 'set-cookie'], ['public', true]]);
    expect(endToEnd({ connection: 'close, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', etag: '"a"' })).toEqual({ etag: '"a"' });
  });
});

describe('embedded objects', () => {
  it('lists what a page embeds (not what it links to), absolute, once each, in page order', () => {
    const html = '<link rel="stylesheet" href="/s.css"><a href="/other.html">x</a><img src="/obj/1"><img src=\'http://a128.g.akamai.net/obj/2\'><script src="/obj/1"></script><img src="https://secure/x">';
    expect(embeddedObjects(html, new URL('http://www.bbc.co.uk/')).map((u) => u.href)).toEqual(['http://www.bbc.co.uk/s.css', 'http://www.bbc.co.uk/obj/1', 'http://a128.g.akamai.net/obj/2']);
  });
});
