// P2P nodes are driven across the lab (the distribution workload runs on one node and starts
// the others at the same instant): one JSON request per HTTP POST to port 6880, one JSON reply.
import http from 'node:http';

export type ControlHandler = (request: Record<string, unknown>) => Promise<unknown>;

export function serveJsonControl(port: number, handler: ControlHandler): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let request: Record<string, unknown>;
      try {
        request = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      } catch {
        return reply(400, { ok: false, error: 'request is not JSON' });
      }
      handler(request).then(
        (result) => reply(200, { ok: true, result }),
        (e: unknown) => reply(200, { ok: false, error: e instanceof Error ? e.message : String(e) }),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}

export function callJsonControl(host: string, port: number, request: Record<string, unknown>, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(request);
    const req = http.request({ host, port, method: 'POST', path: '/control', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const reply = JSON.parse(Buffer.concat(chunks).toString()) as { ok: boolean; result?: unknown; error?: string };
          if (reply.ok) resolve(reply.result);
          else reject(new Error(`${host}: ${reply.error}`));
        } catch (e) {
          reject(new Error(`${host}: a reply that is not JSON (${(e as Error).message})`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${host}:${port} did not answer in ${timeoutMs} ms`)));
    req.on('error', (e) => reject(new Error(`cannot reach the P2P control of ${host}:${port}: ${e.message}`)));
    req.end(body);
  });
}
