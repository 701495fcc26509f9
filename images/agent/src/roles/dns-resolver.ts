import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { parseResolverConfig } from '../dns/config.js';
import { startResolverServer, type ResolverServer } from '../dns/resolver-server.js';
import { notStarted, unknownOp } from './dns-control.js';
import type { AgentRole } from './role.js';

// The local DNS server (node.config is a DnsResolverConfig): iterative from the root hints, or
// recursive through forwarders. Control: `dns-stats` (counters), `dns-flush` (empty the cache,
// for cold-cache repetitions). Also answers echo and bulk, like a host.

function dnsResolverRole(): AgentRole {
  let resolver: ResolverServer | undefined;
  return {
    name: 'dns-resolver',
    async start(node) {
      const config = parseResolverConfig(node.config);
      if (config.trustAnchor) writeTrustAnchors(config.trustAnchor);
      const stops = await Promise.all([startEcho(), startBulkServices()]);
      const running = await startResolverServer(config, { log });
      resolver = running;
      return () => {
        void running.close();
        stops.forEach((stop) => stop());
      };
    },
    async control(request) {
      if (request.op !== 'dns-stats' && request.op !== 'dns-flush') throw unknownOp('dns-resolver', request, ['dns-stats', 'dns-flush']);
      if (!resolver) throw notStarted('dns-resolver');
      if (request.op === 'dns-stats') return resolver.stats();
      const flushed = resolver.flush();
      log(`dns: cache flushed (${flushed} entries)`);
      return { flushed };
    },
  };
}

export const dnsResolver = dnsResolverRole();

/** Where the lab's root key is, in BIND's syntax: `delv @127.0.0.1 -a /etc/emunet/trust-anchors.conf +root=. NAME`. */
export const TRUST_ANCHORS_FILE = '/etc/emunet/trust-anchors.conf';

function writeTrustAnchors(a: { flags: number; algorithm: number; key: string }): void {
  mkdirSync(path.dirname(TRUST_ANCHORS_FILE), { recursive: true });
  writeFileSync(TRUST_ANCHORS_FILE, `trust-anchors {\n  . static-key ${a.flags} 3 ${a.algorithm} "${a.key}";\n};\n`);
}
