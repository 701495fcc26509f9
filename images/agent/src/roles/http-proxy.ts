import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { cacheBounds, parseProxyConfig } from '../http/config.js';
import { CachingProxy } from '../http/proxy.js';
import { serveHttp } from '../http/server.js';
import { upstreamClient } from '../http/upstream.js';
import type { AgentRole } from './role.js';

// The caching proxies: http-forward-proxy (near the clients; they send it absolute URLs) and
// http-reverse-proxy (in front of `config.origin`). Control: `http-stats` (hits, misses, bytes,
// what the cache holds) and `http-flush` (a cold start for the next run: the cache emptied, the
// counters zeroed, the pooled upstream connections closed).

function proxyRole(kind: 'forward' | 'reverse'): AgentRole {
  const name = `http-${kind}-proxy`;
  let proxy: CachingProxy | undefined;
  let reset: (() => void) | undefined;
  return {
    name,
    async start(node) {
      const started = Date.now();
      const settings = parseProxyConfig(node.config, kind);
      log(`${name}: starting on port ${settings.port}${settings.origin ? ` for ${settings.origin.origin}` : ''}, cache ${settings.cacheSize} bytes…`);
      const stops = await Promise.all([startEcho(), startBulkServices()]);
      const upstream = upstreamClient({ timeoutMs: settings.timeoutMs, now: Date.now });
      const running = new CachingProxy(kind, settings, { node: node.node, now: Date.now, fetch: upstream.fetch, log });
      // Clients speak HTTP/1.x to the proxies (h2c is the origin's).
      const listener = await serveHttp((request) => running.handle(request), { port: settings.port, address: '0.0.0.0', h2: false, log });
      proxy = running;
      reset = upstream.reset;
      log(`${name}: serving on port ${listener.port} in ${Date.now() - started} ms`);
      return () => {
        void listener.close();
        upstream.close();
        stops.forEach((stop) => stop());
      };
    },
    async control(request) {
      if (request.op !== 'http-stats' && request.op !== 'http-flush') throw new Error(`unknown control request ${JSON.stringify(request.op)} for role ${name}; known: [status, impair, http-stats, http-flush]`);
      if (!proxy) throw new Error(`the ${name} has not started yet`);
      if (request.op === 'http-flush') {
        reset?.();
        // http-flush may also bound the new cache in objects (`cache-entries`: a sweep of cache sizes).
        const bounds = cacheBounds(request, 'http-flush');
        const flushed = proxy.flush(request['cache-entries'] === undefined ? undefined : bounds);
        return { flushed, ...(bounds.cacheEntries === undefined ? {} : { cacheEntries: bounds.cacheEntries }) };
      }
      return { role: 'proxy', counters: { ...proxy.counters, entries: proxy.cache.entries, cache_bytes: proxy.cache.bytes, evictions: proxy.cache.evictions } };
    },
  };
}

export const httpForwardProxy = proxyRole('forward');
export const httpReverseProxy = proxyRole('reverse');
