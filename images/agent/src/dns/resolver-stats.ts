// The resolver's counters, as `dns-stats` reports them (snake_case: they become `dns_<name>` metrics).
import type { CacheOutcome } from './trace.js';

export interface ResolverCounters {
  client_queries: number;
  cache_hits: number;
  cache_misses: number;
  negative_hits: number;
  upstream_queries: number;
  timeouts: number;
  servfail: number;
}

export interface ResolverStatsReport {
  role: 'resolver';
  counters: ResolverCounters & { cache_entries: number };
  /** Upstream queries per server, `name@address`. */
  servers: Record<string, number>;
}

export class ResolverStats {
  readonly counters: ResolverCounters = { client_queries: 0, cache_hits: 0, cache_misses: 0, negative_hits: 0, upstream_queries: 0, timeouts: 0, servfail: 0 };
  readonly servers = new Map<string, number>();

  lookup(cache: CacheOutcome, failed: boolean): void {
    this.counters.client_queries++;
    if (cache === 'hit') this.counters.cache_hits++;
    else if (cache === 'negative-hit') this.counters.negative_hits++;
    else this.counters.cache_misses++;
    if (failed) this.counters.servfail++;
  }

  upstream(server: string, timedOut: boolean): void {
    this.counters.upstream_queries++;
    if (timedOut) this.counters.timeouts++;
    this.servers.set(server, (this.servers.get(server) ?? 0) + 1);
  }

  report(cacheEntries: number): ResolverStatsReport {
    return { role: 'resolver', counters: { ...this.counters, cache_entries: cacheEntries }, servers: Object.fromEntries(this.servers) };
  }
}
