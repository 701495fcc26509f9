import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';

// The daemon's control socket: `agent impair …` (run by the orchestrator through docker exec)
// asks the long-running daemon, which owns the delayer processes and the current state,
// to change something. One JSON request per connection, one JSON reply.

export const CONTROL_SOCKET = '/run/emunet/agent.sock';

export type Handler = (request: Record<string, unknown>) => Promise<unknown>;

export function serveControl(handler: Handler, path = CONTROL_SOCKET): Promise<net.Server> {
  mkdirSync('/run/emunet', { recursive: true });
  rmSync(path, { force: true });
  const server = net.createServer((socket) => {
    let body = '';
    socket.on('data', (d: Buffer) => {
      body += d.toString();
      const nl = body.indexOf('\n');
      if (nl < 0) return;
      let request: Record<string, unknown>;
      try {
        request = JSON.parse(body.slice(0, nl)) as Record<string, unknown>;
      } catch {
        socket.end(JSON.stringify({ ok: false, error: 'request is not JSON' }) + '\n');
        return;
      }
      handler(request).then(
        (result) => socket.end(JSON.stringify({ ok: true, result }) + '\n'),
        (e: unknown) => socket.end(JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) }) + '\n'),
      );
    });
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}

export function callControl(request: Record<string, unknown>, path = CONTROL_SOCKET): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let body = '';
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (d: Buffer) => (body += d.toString()));
    socket.on('error', (e) => reject(new Error(`cannot reach the agent daemon at ${path}: ${e.message}`)));
    socket.on('end', () => {
      try {
        const reply = JSON.parse(body) as { ok: boolean; result?: unknown; error?: string };
        if (reply.ok) resolve(reply.result);
        else reject(new Error(reply.error));
      } catch {
        reject(new Error(`the agent daemon answered with something that is not JSON: ${body.slice(0, 200)}`));
      }
    });
  });
}
