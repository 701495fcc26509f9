// One HTTP/2 client connection over cleartext with prior knowledge (h2c, RFC 9113 §3.3): every
// `send` opens a stream at once, so concurrent calls are multiplexed on the one TCP connection.
import http2 from 'node:http2';
import net from 'node:net';
import { headerMap, type HeaderMap } from './headers.js';
import type { ClientRequest, ClientResponse } from './h1-connection.js';

export class H2Connection {
  private constructor(private readonly session: http2.ClientHttp2Session, private readonly authority: string, private readonly now: () => number, readonly label: string) {}

  /** Connects and sends the connection preface; requests may follow at once (they need not wait for the server's SETTINGS). */
  static open(address: string, port: number, authority: string, options: { timeoutMs: number; now(): number }): Promise<H2Connection> {
    const label = `${address}:${port}`;
    return new Promise((resolve, reject) => {
      // Nagle would hold a request's HEADERS behind the unacknowledged preface: no delay, as for HTTP/1.x.
      const session = http2.connect(`http://${address}:${port}`, { createConnection: () => net.connect({ host: address, port, noDelay: true }) });
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
    const sentAt = this.now();
    return new Promise((resolve, reject) => {
      const headers: http2.OutgoingHttpHeaders = { ':method': request.method, ':path': request.target, ':scheme': 'http', ':authority': request.headers.host ?? this.authority };
      for (const [k, v] of Object.entries(request.headers)) if (k !== 'host' && k !== 'connection') headers[k] = v;
      const stream = this.session.request(headers, { endStream: true });
      let responseHeaders: HeaderMap = {};
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status'] ?? 0);
        responseHeaders = headerMap(h as Record<string, string | string[] | undefined>);
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ version: '2', status, reason: '', headers: responseHeaders, body: Buffer.concat(chunks), sentAt, doneAt: this.now() }));
      stream.on('error', (e) => reject(new Error(`${this.label}: stream for ${request.target}: ${e.message}`)));
    });
  }

  close(): void {
    this.session.destroy();
  }
}
