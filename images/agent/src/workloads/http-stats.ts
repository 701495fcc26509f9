import { log, record } from '../common/records.js';
import { callControl } from '../common/control.js';
import { ratio, readCounters } from './daemon-counters.js';
import { numberArg, type Workload } from './workload.js';

// Reads an HTTP node's counters from its daemon (run it on an http-origin or a proxy node): one
// record per counter (http_<counter>) and, on a proxy, http_hit_ratio = hits / (hits + misses +
// revalidated + expired) — the share of cacheable lookups answered without the origin's body.

export const httpStats: Workload = {
  name: 'http-stats',
  async run() {
    const reply = await readCounters('http-stats', 'is this an http-origin or proxy node?');
    const c = reply.counters;
    for (const [name, value] of Object.entries(c)) record(`http_${name}`, value, name.includes('bytes') ? 'bytes' : 'count');
    if (reply.role === 'proxy') {
      const lookups = (c.hits ?? 0) + (c.misses ?? 0) + (c.revalidated ?? 0) + (c.expired ?? 0);
      record('http_hit_ratio', ratio(c.hits ?? 0, lookups), 'ratio', { detail: `hits=${c.hits ?? 0} lookups=${lookups}` });
    }
    log(`http-stats: ${Object.keys(c).length} counters from the ${reply.role ?? 'http'} daemon`);
  },
};

/**
 * Empties a proxy's cache, zeroes its counters and closes its pooled upstream connections (on an
 * origin: zeroes its counters). Argument cache-entries (proxies): the new cache holds at most that
 * many objects — how a sweep changes the cache size between runs without a restart.
 */
export const httpFlush: Workload = {
  name: 'http-flush',
  async run(args) {
    const entries = args['cache-entries'] === undefined ? undefined : numberArg(args, 'cache-entries', 0);
    const reply = (await callControl({ op: 'http-flush', ...(entries === undefined ? {} : { 'cache-entries': entries }) })) as { flushed?: number; cacheEntries?: number };
    record('http_cache_flushed', reply.flushed ?? 0, 'entries');
    if (reply.cacheEntries !== undefined) record('http_cache_entries', reply.cacheEntries, 'entries', { detail: 'the new cache\'s bound' });
    log(`http-flush: ${reply.flushed ?? 0} cache entries dropped${reply.cacheEntries === undefined ? '' : `; the cache now holds at most ${reply.cacheEntries} objects`}`);
  },
};
