// An incremental HTTP/1.x response parser (RFC 9112 §4-§7) for the fetch client's raw
// connections: bytes in, complete responses out, in order — what pipelining needs, since the
// responses to requests written back to back arrive back to back on one stream. Body framing:
// no body for HEAD, 1xx, 204 and 304; chunked; Content-Length; else until the server closes.
import type { HeaderMap } from './headers.js';

export interface ParsedResponse {
  version: string;
  status: number;
  reason: string;
  headers: HeaderMap;
  body: Buffer;
}

export class HttpParseError extends Error {}

type State =
  | { kind: 'head' }
  | { kind: 'length'; remaining: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; remaining: number }
  | { kind: 'chunk-crlf' }
  | { kind: 'trailers' }
  | { kind: 'close' };

/** A response head larger than this is not HTTP we can read (and not what an origin sends). */
const MAX_HEAD = 64 * 1024;

export class ResponseParser {
  private buffer: Buffer = Buffer.alloc(0);
  private state: State = { kind: 'head' };
  private current: Omit<ParsedResponse, 'body'> & { chunks: Buffer[] } = { version: '', status: 0, reason: '', headers: {}, chunks: [] };

  /** `bodiless()` says whether the request being answered was a HEAD (asked once per final response). */
  constructor(private readonly bodiless: () => boolean) {}

  /** True between responses: nothing half-read. */
  get idle(): boolean {
    return this.state.kind === 'head' && this.buffer.length === 0;
  }

  push(chunk: Buffer): ParsedResponse[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const done: ParsedResponse[] = [];
    while (this.step(done));
    return done;
  }

  /** The server closed the connection: a body delimited by the close is complete; anything else half-read is an error. */
  end(): ParsedResponse | undefined {
    if (this.state.kind === 'close') {
      this.current.chunks.push(this.buffer);
      this.buffer = Buffer.alloc(0);
      return this.complete();
    }
    if (!this.idle) throw new HttpParseError(`the connection closed in the middle of a response (${this.state.kind === 'head' ? 'status line and fields' : 'body'})`);
    return undefined;
  }

  /** One parsing step; false when more bytes are needed. */
  private step(done: ParsedResponse[]): boolean {
    const s = this.state;
    switch (s.kind) {
      case 'head': {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.buffer.length > MAX_HEAD) throw new HttpParseError(`no end of the response head within ${MAX_HEAD} bytes`);
          return false;
        }
        const head = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 4);
        this.startResponse(head, done);
        return true;
      }
      case 'length': {
        const take = Math.min(s.remaining, this.buffer.length);
        this.current.chunks.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        s.remaining -= take;
        if (s.remaining === 0) done.push(this.complete());
        return this.buffer.length > 0 || s.remaining === 0;
      }
      case 'chunk-size': {
        const eol = this.buffer.indexOf('\r\n');
        if (eol < 0) return false;
        const line = this.buffer.subarray(0, eol).toString('latin1');
        this.buffer = this.buffer.subarray(eol + 2);
        const size = /^[0-9a-f]+/i.exec(line.trim());
        if (!size) throw new HttpParseError(`bad chunk size line "${line.slice(0, 40)}"`);
        const n = parseInt(size[0], 16);
        this.state = n === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', remaining: n };
        return true;
      }
      case 'chunk-data': {
        const take = Math.min(s.remaining, this.buffer.length);
        this.current.chunks.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        s.remaining -= take;
        if (s.remaining > 0) return false;
        this.state = { kind: 'chunk-crlf' };
        return true;
      }
      case 'chunk-crlf': {
        if (this.buffer.length < 2) return false;
        this.buffer = this.buffer.subarray(2);
        this.state = { kind: 'chunk-size' };
        return true;
      }
      case 'trailers': {
        const eol = this.buffer.indexOf('\r\n');
        if (eol < 0) return false;
        this.buffer = this.buffer.subarray(eol + 2);
        // An empty line ends the trailer section (and the message).
        if (eol === 0) done.push(this.complete());
        return true;
      }
      case 'close':
        this.current.chunks.push(this.buffer);
        this.buffer = Buffer.alloc(0);
        return false;
    }
  }

  private startResponse(head: string, done: ParsedResponse[]): void {
    const [statusLine = '', ...lines] = head.split('\r\n');
    const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!m) throw new HttpParseError(`not an HTTP/1.x status line: "${statusLine.slice(0, 60)}"`);
    const headers: HeaderMap = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new HttpParseError(`bad header field line "${line.slice(0, 60)}"`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const status = Number(m[2]);
    this.current = { version: m[1]!, status, reason: m[3] ?? '', headers, chunks: [] };
    // Interim responses (100 Continue, 103 Early Hints) precede the final one: skip them.
    if (status >= 100 && status < 200 && status !== 101) return;
    if (this.bodiless() || status === 204 || status === 304 || status < 200) {
      done.push(this.complete());
      return;
    }
    const codings = (headers['transfer-encoding'] ?? '').toLowerCase().split(',').map((c) => c.trim());
    if (codings[codings.length - 1] === 'chunked') this.state = { kind: 'chunk-size' };
    else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length'].split(',')[0]);
      if (!Number.isInteger(length) || length < 0) throw new HttpParseError(`bad Content-Length "${headers['content-length']}"`);
      if (length === 0) done.push(this.complete());
      else this.state = { kind: 'length', remaining: length };
    } else this.state = { kind: 'close' };
  }

  private complete(): ParsedResponse {
    const { chunks, ...rest } = this.current;
    this.state = { kind: 'head' };
    return { ...rest, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
  }
}
