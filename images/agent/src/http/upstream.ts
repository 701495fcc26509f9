// A proxy's requests to the next server: Node's HTTP/1.1 client over a keep-alive pool, so a
// proxy pays the upstream connection set-up once per server, not once per request. Names
// resolve as every lab program's do (getaddrinfo: /etc/hosts, then the lab resolver), IPv4 only.
import http from 'node:http';
import { headerMap, type HeaderMap } from './headers.js';
import { portOf } from './url.js';

export interface UpstreamRequest {
  url: URL;
  method: string;
  /** End-to-end fields, including the Host to send. */
  headers: HeaderMap;
  body: Buffer;
}

export interface UpstreamResponse {
  status: number;
  headers: HeaderMap;
  body: Buffer;
  /** ms since the epoch: when the request went out and when the response arrived (a cache's request_time / response_time). */
  requestTime: number;
  responseTime: number;
}

export type Fetch = (request: UpstreamRequest) => Promise<UpstreamResponse>;

/** Why an upstream exchange failed, and the status a proxy answers with (502 Bad Gateway, 504 Gateway Timeout). */
export class UpstreamError extends Error {
  constructor(readonly status: 502 | 504, message: string, readonly retryable = false) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export function upstreamClient(options: { timeoutMs: number; now(): number }): { fetch: Fetch; reset(): void; close(): void } {
  const newAgent = () => new http.Agent({ keepAlive: true, maxSockets: 64 });
  let agent = newAgent();
  // A pooled connection the server has just closed fails at once (ECONNRESET, EPIPE): an
  // idempotent request is sent again on a new one (RFC 9110 §9.2.2), as browsers do.
  const fetch: Fetch = (r) =>
    once(r).catch((e: unknown) => {
      if (e instanceof UpstreamError && e.retryable && (r.method === 'GET' || r.method === 'HEAD')) return once(r);
      throw e;
    });
  const once: Fetch = (r) =>
    new Promise((resolve, reject) => {
      const requestTime = options.now();
      const where = `${r.url.hostname}:${portOf(r.url)}`;
      const req = http.request(
        { host: r.url.hostname, port: portOf(r.url), path: `${r.url.pathname}${r.url.search}`, method: r.method, headers: r.headers, agent, family: 4, timeout: options.timeoutMs },
        (res) => {
          const responseTime = options.now();
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: headerMap(res.headers), body: Buffer.concat(chunks), requestTime, responseTime }));
          res.on('error', (e) => reject(new UpstreamError(502, `the response from ${where} broke off: ${e.message}`)));
        },
      );
      req.on('timeout', () => req.destroy(new UpstreamError(504, `${where} did not answer within ${options.timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof UpstreamError) return reject(e);
        const why = e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
          ? `cannot resolve "${r.url.hostname}" (lab names come from /etc/hosts and the lab's resolver)`
          : `cannot reach ${where}: ${e.code ?? e.message}`;
        reject(new UpstreamError(502, why, e.code === 'ECONNRESET' || e.code === 'EPIPE'));
      });
      req.end(r.body.length > 0 ? r.body : undefined);
    });
  return {
    fetch,
    /** Drops the idle connections: the next requests pay the connection set-up again (a cold start). */
    reset: () => {
      agent.destroy();
      agent = newAgent();
    },
    close: () => agent.destroy(),
  };
}
