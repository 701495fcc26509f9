import { callControl } from '../common/control.js';
import { log, record } from '../common/records.js';
import type { Workload } from './workload.js';

// Reads a DNS node's counters from its daemon (run it on a dns-resolver or a DNS server node):
// one record per counter (dns_<counter>, count), dns_server_queries per upstream server (peer)
// and, on a resolver, dns_hit_ratio = (cache hits + negative hits) / client queries.

interface StatsReply { role?: string; counters?: Record<string, unknown>; servers?: Record<string, unknown> }

export const dnsStats: Workload = {
  name: 'dns-stats',
  async run() {
    const reply = (await callControl({ op: 'dns-stats' })) as StatsReply;
    const counters = Object.entries(reply.counters ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number');
    if (counters.length === 0) throw new Error(`the daemon's dns-stats reply has no counters: ${JSON.stringify(reply).slice(0, 200)}`);
    for (const [name, value] of counters) record(`dns_${name}`, value, 'count');
    for (const [server, n] of Object.entries(reply.servers ?? {})) {
      if (typeof n === 'number') record('dns_server_queries', n, 'count', { peer: server });
    }
    const c = Object.fromEntries(counters);
    if (reply.role === 'resolver') {
      const queries = c.client_queries ?? 0;
      const hits = (c.cache_hits ?? 0) + (c.negative_hits ?? 0);
      record('dns_hit_ratio', queries > 0 ? Math.round((hits / queries) * 1e6) / 1e6 : 0, 'ratio', { detail: `hits=${hits} queries=${queries}` });
    }
    log(`dns-stats: ${counters.length} counters from the ${reply.role ?? 'dns'} daemon`);
  },
};

export const dnsFlush: Workload = {
  name: 'dns-flush',
  async run() {
    const reply = (await callControl({ op: 'dns-flush' })) as { flushed?: number };
    record('dns_cache_flushed', reply.flushed ?? 0, 'entries');
    log(`dns-flush: ${reply.flushed ?? 0} cache entries dropped`);
  },
};
