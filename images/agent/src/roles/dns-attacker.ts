import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { object } from '../dns/checks.js';
import { parseServerConfig } from '../dns/config.js';
import { parseRecord } from '../dns/record-data.js';
import { ObservedQueries } from '../dns/attack/observed.js';
import { startAuthServer, type AuthServer } from '../dns/server.js';
import { notStarted, unknownOp } from './dns-control.js';
import type { AgentRole } from './role.js';

// The lab's DNS attacker (docs/dns-security.md). It is an authoritative server for its own zone
// (delegated like any other), which (a) slips the records of `inject` into the additional
// section of every answer, and (b) remembers the queries resolvers send it — their source port,
// ID and 0x20 case — for the `dns-poison` workload's off-path spoofing. It listens on its own
// address only, so the spoofer can send from the real server's address and port 53.
// node.config: { zones, recursion?, inject: [records], address }.

function dnsAttackerRole(): AgentRole {
  let server: AuthServer | undefined;
  const observed = new ObservedQueries(64);
  return {
    name: 'dns-attacker',
    async start(node) {
      const o = object(node.config, 'node.config', ['zones', 'recursion', 'inject', 'address']);
      const config = parseServerConfig({ zones: o.zones, recursion: o.recursion });
      const inject = ((o.inject ?? []) as unknown[]).map((r, i) => parseRecord(r, `node.config.inject[${i}]`));
      const address = typeof o.address === 'string' ? o.address : '0.0.0.0';
      const stops = await Promise.all([startEcho(), startBulkServices()]);
      const running = await startAuthServer(config, { log, address, inject, observe: (raw, meta) => observed.add(raw, meta) });
      if (inject.length > 0) log(`dns-attacker: every answer carries ${inject.map((r) => `${r.name} ${r.type} ${String(r.data)}`).join(', ')} in its additional section`);
      server = running;
      return () => {
        void running.close();
        stops.forEach((stop) => stop());
      };
    },
    async control(request) {
      if (request.op === 'dns-observed') return { queries: observed.list() };
      if (request.op !== 'dns-stats') throw unknownOp('dns-attacker', request, ['dns-stats', 'dns-observed']);
      if (!server) throw notStarted('dns-attacker');
      return server.stats();
    },
  };
}

export const dnsAttacker = dnsAttackerRole();
