import type { ContainerRuntime } from '../runtime/runtime.js';

export class NotReadyError extends Error {}

interface Waiter { node: string; id: string }

/**
 * Resolves when every agent has printed its `ready` line. Fails as soon as one reports an
 * error or exits, or at the timeout, naming the nodes and showing their last log lines.
 */
export async function waitReady(runtime: ContainerRuntime, waiters: Waiter[], timeoutMs: number, signal?: AbortSignal, since?: number): Promise<void> {
  const pending = new Set(waiters.map((w) => w.node));
  const stops: (() => void)[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = async (nodes: Waiter[], why: string) => {
        const logs = await Promise.all(nodes.map(async (w) => `--- ${w.node} (last log lines) ---\n${(await runtime.logs(w.id, 15).catch(() => '')).trimEnd() || '(no output)'}`));
        reject(new NotReadyError(`${why}\n${logs.join('\n')}`));
      };
      const timer = setTimeout(() => {
        const late = waiters.filter((w) => pending.has(w.node));
        void fail(late, `node(s) ${late.map((w) => w.node).join(', ')} did not become ready within ${timeoutMs / 1000} s`);
      }, timeoutMs);
      signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
      if (pending.size === 0) { clearTimeout(timer); resolve(); }
      for (const w of waiters) {
        runtime.followLogs(w.id, (line) => {
          if (!line.startsWith('{')) return;
          let event: { type?: string; message?: string };
          try { event = JSON.parse(line); } catch { return; }
          if (event.type === 'ready' && pending.delete(w.node) && pending.size === 0) { clearTimeout(timer); resolve(); }
          if (event.type === 'error') { clearTimeout(timer); void fail([w], `node ${w.node} failed to start: ${event.message}`); }
        }, since).then((stop) => stops.push(stop), (e: unknown) => { clearTimeout(timer); reject(e); });
      }
    });
  } finally {
    for (const stop of stops) stop();
  }
}
