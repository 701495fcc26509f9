import { log, record } from '../common/records.js';
import { flushWorkload, ratio, readCounters } from './daemon-counters.js';
import type { Workload } from './workload.js';

// Reads a DNS node's counters from its daemon (run it on a dns-resolver or a DNS server node):
// one record per counter (dns_<counter>, count), dns_server_queries per upstream server (peer)
// and, on a resolver, dns_hit_ratio = (cache hits + negative hits) / client queries.

export const dnsStats: Workload = {
  name: 'dns-stats',
  async run() {
    const reply = await readCounters('dns-stats', 'is this a DNS node?');
    const c = reply.counters;
    for (const [name, value] of Object.entries(c)) record(`dns_${name}`, value, 'count');
    for (const [server, n] of Object.entries(reply.servers ?? {})) {
      if (typeof n === 'number') record('dns_server_queries', n, 'count', { peer: server });
    }
    if (reply.role === 'resolver') {
      const queries = c.client_queries ?? 0;
      const hits = (c.cache_hits ?? 0) + (c.negative_hits ?? 0);
      record('dns_hit_ratio', ratio(hits, queries), 'ratio', { detail: `hits=${hits} queries=${queries}` });
    }
    log(`dns-stats: ${Object.keys(c).length} counters from the ${reply.role ?? 'dns'} daemon`);
  },
};

/** Empties a resolver's cache (for cold-cache repetitions). */
export const dnsFlush = flushWorkload('dns');
