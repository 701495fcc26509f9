// One HTTP/1.x client connection on a raw TCP socket, so the fetch strategies control exactly
// what goes on the wire: `send` writes the request at once and returns the response in request
// order, so calling it n times without waiting pipelines n requests (RFC 9112 §9.3.2), and
// awaiting each call before the next is a persistent connection used sequentially.
import net from 'node:net';
import type { HeaderMap } from './headers.js';
import { ResponseParser, type ParsedResponse } from './response-parser.js';

export interface ClientRequest {
  method: string;
  /** Origin-form (`/obj/1`) to a server, absolute-form (`http://host/obj/1`) to a forward proxy. */
  target: string;
  headers: HeaderMap;
  version: '1.0' | '1.1';
}

export interface ClientResponse extends ParsedResponse {
  /** Clock readings (ms): the request written, the response complete. */
  sentAt: number;
  doneAt: number;
  /** HTTP/2: the server pushed it; no request went out for it. */
  pushed?: boolean;
}

interface Pending { request: ClientRequest; sentAt: number; resolve(r: ClientResponse): void; reject(e: Error): void }

export class H1Connection {
  private readonly pending: Pending[] = [];
  private readonly parser = new ResponseParser(() => this.pending[0]?.request.method === 'HEAD');
  private closedBy?: Error;
  /** The server said it will close (Connection: close, or an HTTP/1.0 answer without keep-alive). */
  private lastResponseSeen = false;

  private constructor(private readonly socket: net.Socket, private readonly now: () => number, readonly label: string) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.fail(new Error(`${label}: the server closed the connection before answering`)));
    socket.on('error', (e) => this.fail(new Error(`${label}: ${e.message}`)));
  }

  /** Opens a TCP connection (the handshake is one RTT); rejects after `timeoutMs`. */
  static open(address: string, port: number, options: { timeoutMs: number; now(): number }): Promise<H1Connection> {
    const label = `${address}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to ${label} timed out after ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new H1Connection(socket, options.now, label));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${label}: ${e.message}`));
      });
    });
  }

  /** Whether another request may be sent on this connection. */
  get reusable(): boolean {
    return !this.closedBy && !this.lastResponseSeen && !this.socket.destroyed;
  }

  send(request: ClientRequest): Promise<ClientResponse> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    const lines = [`${request.method} ${request.target} HTTP/${request.version}`, ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`), '', ''];
    return new Promise((resolve, reject) => {
      this.pending.push({ request, sentAt: this.now(), resolve, reject });
      this.socket.write(lines.join('\r\n'));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    let responses: ParsedResponse[];
    try {
      responses = this.parser.push(d);
    } catch (e) {
      this.fail(new Error(`${this.label}: ${(e as Error).message}`));
      this.socket.destroy();
      return;
    }
    for (const r of responses) this.deliver(r);
  }

  private onEnd(): void {
    try {
      const last = this.parser.end();
      if (last) this.deliver(last);
    } catch (e) {
      this.fail(new Error(`${this.label}: ${(e as Error).message}`));
    }
    this.socket.end();
  }

  private deliver(r: ParsedResponse): void {
    const p = this.pending.shift();
    if (!p) return; // an unsolicited response: nothing waits for it
    const connection = (r.headers.connection ?? '').toLowerCase();
    if (connection.includes('close') || (r.version === '1.0' && !connection.includes('keep-alive')) || p.request.version === '1.0') this.lastResponseSeen = true;
    p.resolve({ ...r, sentAt: p.sentAt, doneAt: this.now() });
  }

  private fail(error: Error): void {
    this.closedBy ??= error;
    for (const p of this.pending.splice(0)) p.reject(error);
  }
}
