import { callControl } from '../common/control.js';
import { log, record } from '../common/records.js';
import type { Workload } from './workload.js';

// What the `<protocol>-stats` and `<protocol>-flush` workloads share: ask the node's daemon
// over its control socket, and turn its counters into records.

export interface CountersReply { role?: string; counters: Record<string, number>; servers?: Record<string, unknown> }

/** The daemon's numeric counters; an error when it has none (the workload ran on the wrong node). */
export async function readCounters(op: string, wrongNode: string): Promise<CountersReply> {
  const reply = (await callControl({ op })) as { role?: string; counters?: Record<string, unknown>; servers?: Record<string, unknown> };
  const counters = Object.fromEntries(Object.entries(reply.counters ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number'));
  if (Object.keys(counters).length === 0) throw new Error(`the daemon's ${op} reply has no counters (${wrongNode}): ${JSON.stringify(reply).slice(0, 200)}`);
  return { ...reply, counters };
}

/** hits / lookups, to 6 decimals (0 before any lookup). */
export const ratio = (hits: number, lookups: number) => (lookups > 0 ? Math.round((hits / lookups) * 1e6) / 1e6 : 0);

/** `<protocol>-flush`: empties the daemon's cache, recording how many entries went. */
export function flushWorkload(protocol: 'dns' | 'http'): Workload {
  return {
    name: `${protocol}-flush`,
    async run() {
      const reply = (await callControl({ op: `${protocol}-flush` })) as { flushed?: number };
      record(`${protocol}_cache_flushed`, reply.flushed ?? 0, 'entries');
      log(`${protocol}-flush: ${reply.flushed ?? 0} cache entries dropped`);
    },
  };
}
