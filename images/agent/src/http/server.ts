// One TCP port for HTTP/1.0, HTTP/1.1 (keep-alive; pipelined requests answered in order, which
// Node's http server guarantees) and HTTP/2 over cleartext with prior knowledge (h2c, RFC 9113
// §3.3): the first bytes of a connection tell which. A connection that opens with the HTTP/2
// preface goes to an http2 server, anything else to the http server. Both call one handler that
// sees a plain request and returns a plain response, so origin and proxies never touch sockets.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { headerMap, withoutConnectionFields, type HeaderMap } from './headers.js';

export interface HttpRequest {
  method: string;
  /** The request target as sent: `/path?q` (origin-form) or `http://host/path` (absolute-form, to a forward proxy). */
  target: string;
  version: '1.0' | '1.1' | '2';
  /** Lower-case names; on HTTP/2, `host` carries the :authority. */
  headers: HeaderMap;
  body: Buffer;
  client: string;
}

export interface HttpResponse {
  status: number;
  headers: HeaderMap;
  body?: Buffer;
  /** HTTP/2 only: paths (same authority) to push with this response; ignored on HTTP/1.x or when the client refused push. */
  push?: string[];
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;

export interface HttpListener {
  port: number;
  /** Connections accepted so far, by protocol (tests count them: a strategy's connection plan). */
  connections: { h1: number; h2: number };
  close(): Promise<void>;
}

export interface ServeOptions {
  port: number;
  /** '0.0.0.0' in a lab; tests use '127.0.0.1'. */
  address: string;
  /** Accept h2c with prior knowledge. */
  h2: boolean;
  log(line: string): void;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** Idle keep-alive connections are closed after this long (the clients' pipelines finish well within it). */
const KEEP_ALIVE_MS = 30_000;

export async function serveHttp(handler: HttpHandler, options: ServeOptions): Promise<HttpListener> {
  const h1 = http.createServer((req, res) => void answer(handler, req, res, options.log));
  h1.keepAliveTimeout = KEEP_ALIVE_MS;
  const h2 = http2.createServer({}, (req, res) => void answer(handler, req, res, options.log));
  h2.on('sessionError', (e) => options.log(`http: h2 session error: ${e.message}`));
  const open = new Set<net.Socket>();
  const connections = { h1: 0, h2: 0 };
  const tcp = net.createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      const n = Math.min(first.length, PREFACE.length);
      if (options.h2 && first.subarray(0, n).equals(PREFACE.subarray(0, n))) {
        connections.h2++;
        // The http2 session reads what is already buffered on the socket itself.
        h2.emit('connection', socket);
      } else {
        connections.h1++;
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.port, options.address, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const address = tcp.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        tcp.close(() => resolve());
      }),
  };
}

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

async function answer(handler: HttpHandler, req: AnyRequest, res: AnyResponse, log: (line: string) => void): Promise<void> {
  const isH2 = req.httpVersionMajor === 2;
  let method = req.method ?? 'GET';
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = headerMap(req.headers);
    const authority = (req.headers as Record<string, string | string[] | undefined>)[':authority'];
    if (isH2 && headers.host === undefined && typeof authority === 'string') headers.host = authority;
    method = isH2 ? String((req.headers as Record<string, unknown>)[':method'] ?? method) : method;
    const request: HttpRequest = {
      method,
      target: req.url ?? '/',
      version: isH2 ? '2' : req.httpVersion === '1.0' ? '1.0' : '1.1',
      headers,
      body: Buffer.concat(chunks),
      client: (req.socket?.remoteAddress ?? '?').replace(/^::ffff:/, ''),
    };
    const response = await handler(request);
    // PUSH_PROMISEs go out before the response that names the pushed objects (RFC 9113 §8.4).
    if (isH2 && response.push?.length) push(handler, request, res as http2.Http2ServerResponse, response.push, log);
    send(res, response, method, isH2);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log(`http: ${method} ${req.url ?? ''} failed: ${message}`);
    if (!res.headersSent) send(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`internal error: ${message}\n`) }, method, isH2);
  }
}

/** Each path as its own pushed stream, answered by the same handler as a GET with the page's fields. */
function push(handler: HttpHandler, request: HttpRequest, res: http2.Http2ServerResponse, paths: string[], log: (line: string) => void): void {
  if (!res.stream.pushAllowed) return;
  const { 'if-none-match': _inm, 'if-modified-since': _ims, ...headers } = request.headers;
  for (const path of paths) {
    res.stream.pushStream({ ':method': 'GET', ':path': path, ':scheme': 'http', ':authority': request.headers.host ?? '' }, (error, stream) => {
      if (error) return log(`http: cannot push ${path}: ${error.message}`);
      stream.on('error', () => undefined); // the client may refuse (RST_STREAM) what it already has
      handler({ ...request, method: 'GET', target: path, headers, body: Buffer.alloc(0) }).then(
        (r) => {
          if (stream.destroyed) return;
          stream.respond({ ':status': r.status, ...withoutConnectionFields({ ...r.headers, 'content-length': String(r.body?.length ?? 0) }) });
          stream.end(r.body);
        },
        (e: unknown) => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR, () => log(`http: push of ${path} failed: ${String(e)}`)),
      );
    });
  }
}

function send(res: AnyResponse, response: HttpResponse, method: string, isH2: boolean): void {
  const noBody = method === 'HEAD' || response.status === 304 || response.status === 204 || response.status < 200;
  const headers: HeaderMap = { ...response.headers };
  if (!noBody || method === 'HEAD') headers['content-length'] ??= String(response.body?.length ?? 0);
  // Node's writeHead overloads differ between http and http2; both accept (status, headers).
  (res as http.ServerResponse).writeHead(response.status, isH2 ? withoutConnectionFields(headers) : headers);
  if (noBody || !response.body) res.end();
  else res.end(response.body);
}
