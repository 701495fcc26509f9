// One HTTP/2 client connection over cleartext with prior knowledge (h2c, RFC 9113 §3.3): every
// `send` opens a stream at once, so concurrent calls are multiplexed on the one TCP connection.
// Responses the server pushes (RFC 9113 §8.4) are kept by path: a later `send` for that path
// takes the pushed response instead of asking, as a browser's push cache does.
import http2 from 'node:http2';
import net from 'node:net';
import { headerMap, type HeaderMap } from './headers.js';
import type { ClientRequest, ClientResponse } from './h1-connection.js';

export class H2Connection {
  private readonly pushes = new Map<string, Promise<ClientResponse>>();
  /** Responses the server pushed on this connection so far. */
  pushed = 0;

  private constructor(private readonly session: http2.ClientHttp2Session, private readonly authority: string, private readonly now: () => number, readonly label: string) {
    session.on('stream', (stream, requestHeaders) => {
      const path = String(requestHeaders[':path'] ?? '');
      this.pushed++;
      const response = this.collect(stream, `pushed ${path}`, this.now(), 'push');
      response.catch(() => undefined); // a push nobody asks for may be reset: that is no failure
      this.pushes.set(path, response.then((r) => ({ ...r, pushed: true })));
    });
  }

  /** Connects and sends the connection preface; requests may follow at once (they need not wait for the server's SETTINGS). */
  static open(address: string, port: number, authority: string, options: { timeoutMs: number; now(): number }): Promise<H2Connection> {
    const label = `${address}:${port}`;
    return new Promise((resolve, reject) => {
      // Nagle would hold a request's HEADERS behind the unacknowledged preface: no delay, as for HTTP/1.x.
      const session = http2.connect(`http://${address}:${port}`, { settings: { enablePush: true }, createConnection: () => net.connect({ host: address, port, noDelay: true }) });
      const timer = setTimeout(() => {
        session.destroy();
        reject(new Error(`connecting to ${label} (h2c) timed out after ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      session.once('connect', () => {
        clearTimeout(timer);
        session.off('error', onError);
        session.on('error', () => undefined); // stream errors reject their own requests
        resolve(new H2Connection(session, authority, options.now, label));
      });
      const onError = (e: Error) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${label} (h2c): ${e.message}`));
      };
      session.once('error', onError);
    });
  }

  get reusable(): boolean {
    return !this.session.closed && !this.session.destroyed;
  }

  send(request: ClientRequest): Promise<ClientResponse> {
    const pushed = request.method === 'GET' ? this.pushes.get(request.target) : undefined;
    if (pushed) {
      this.pushes.delete(request.target);
      return pushed;
    }
    const headers: http2.OutgoingHttpHeaders = { ':method': request.method, ':path': request.target, ':scheme': 'http', ':authority': request.headers.host ?? this.authority };
    for (const [k, v] of Object.entries(request.headers)) if (k !== 'host' && k !== 'connection') headers[k] = v;
    return this.collect(this.session.request(headers, { endStream: true }), request.target, this.now(), 'response');
  }

  close(): void {
    this.session.destroy();
  }

  /** A stream's response: its headers arrive with `response` (a request) or `push` (a pushed stream). */
  private collect(stream: http2.ClientHttp2Stream, what: string, sentAt: number, headersEvent: 'response' | 'push'): Promise<ClientResponse> {
    return new Promise((resolve, reject) => {
      let responseHeaders: HeaderMap = {};
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on(headersEvent, (h: http2.IncomingHttpHeaders) => {
        status = Number(h[':status'] ?? 0);
        responseHeaders = headerMap(h as Record<string, string | string[] | undefined>);
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ version: '2', status, reason: '', headers: responseHeaders, body: Buffer.concat(chunks), sentAt, doneAt: this.now() }));
      stream.on('error', (e) => reject(new Error(`${this.label}: stream for ${what}: ${e.message}`)));
    });
  }
}
