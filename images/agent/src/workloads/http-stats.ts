import { callControl } from '../common/control.js';
import { log, record } from '../common/records.js';
import type { Workload } from './workload.js';

// Reads an HTTP node's counters from its daemon (run it on an http-origin or a proxy node): one
// record per counter (http_<counter>) and, on a proxy, http_hit_ratio = hits / (hits + misses +
// revalidated + expired) — the share of cacheable lookups answered without the origin's body.

interface StatsReply { role?: string; counters?: Record<string, unknown> }

export const httpStats: Workload = {
  name: 'http-stats',
  async run() {
    const reply = (await callControl({ op: 'http-stats' })) as StatsReply;
    const counters = Object.entries(reply.counters ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number');
    if (counters.length === 0) throw new Error(`the daemon's http-stats reply has no counters (is this an http-origin or proxy node?): ${JSON.stringify(reply).slice(0, 200)}`);
    for (const [name, value] of counters) record(`http_${name}`, value, name.includes('bytes') ? 'bytes' : 'count');
    if (reply.role === 'proxy') {
      const c = Object.fromEntries(counters);
      const lookups = (c.hits ?? 0) + (c.misses ?? 0) + (c.revalidated ?? 0) + (c.expired ?? 0);
      record('http_hit_ratio', lookups > 0 ? Math.round(((c.hits ?? 0) / lookups) * 1e6) / 1e6 : 0, 'ratio', { detail: `hits=${c.hits ?? 0} lookups=${lookups}` });
    }
    log(`http-stats: ${counters.length} counters from the ${reply.role ?? 'http'} daemon`);
  },
};

export const httpFlush: Workload = {
  name: 'http-flush',
  async run() {
    const reply = (await callControl({ op: 'http-flush' })) as { flushed?: number };
    record('http_cache_flushed', reply.flushed ?? 0, 'entries');
    log(`http-flush: ${reply.flushed ?? 0} cache entries dropped`);
  },
};
