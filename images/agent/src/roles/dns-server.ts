import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { parseServerConfig } from '../dns/config.js';
import { startAuthServer, type AuthServer } from '../dns/server.js';
import { notStarted, unknownOp } from './dns-control.js';
import type { AgentRole } from './role.js';

// The DNS hierarchy's servers: dns-root, dns-tld and dns-auth all run the authoritative server
// on the zones in node.config (a DnsServerConfig; they differ only in what the orchestrator puts
// there). Each also answers echo and bulk, like a host, so its links can be probed.

function dnsServerRole(name: string): AgentRole {
  let server: AuthServer | undefined;
  return {
    name,
    async start(node) {
      const config = parseServerConfig(node.config);
      const stops = await Promise.all([startEcho(), startBulkServices()]);
      const running = await startAuthServer(config, { log });
      server = running;
      return () => {
        void running.close();
        stops.forEach((stop) => stop());
      };
    },
    async control(request) {
      if (request.op !== 'dns-stats') throw unknownOp(name, request, ['dns-stats']);
      if (!server) throw notStarted(name);
      return server.stats();
    },
  };
}

export const dnsRoot = dnsServerRole('dns-root');
export const dnsTld = dnsServerRole('dns-tld');
export const dnsAuth = dnsServerRole('dns-auth');
