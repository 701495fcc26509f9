// The authoritative server of a dns-root / dns-tld / dns-auth node: its zones served over UDP
// and TCP, one log line per query, counters for `dns-stats`.
import { randomInt } from 'node:crypto';
import { AuthResponder, formatQueryLog, type ServerCounters } from './authority.js';
import { socketTransport } from './client.js';
import { RESOLVER_DEFAULTS, type DnsRecord, type ServerSettings } from './config.js';
import { DnssecRecords } from './dnssec/sections.js';
import { toAnswer } from './record-data.js';
import { listen } from './listener.js';
import { ZoneSet } from './zone.js';

export interface ServerStatsReport { role: 'server'; zones: string[]; counters: ServerCounters }

export interface AuthServer {
  port: number;
  stats(): ServerStatsReport;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** '0.0.0.0' (default) in a lab; tests use '127.0.0.1'. */
  address?: string;
  log(line: string): void;
  /** Records slipped into every answer's additional section (the dns-attacker role). */
  inject?: DnsRecord[];
  /** Sees every query as it arrives (the dns-attacker learns a resolver's port and ID this way). */
  observe?(raw: Buffer, meta: { client: string; port?: number; tcp: boolean }): void;
}

/** Unpredictable IDs and source ports for upstream queries: they are what a spoofer has to guess. */
export const secureRandom = (): number => randomInt(0x1000000000) / 0x1000000000;
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export async function startAuthServer(config: ServerSettings, options: ServeOptions): Promise<AuthServer> {
  const started = monotonicMs();
  const zones = new ZoneSet(config.zones, { rotate: config.rotate });
  const recursion = config.recursion
    ? {
        deps: { transport: socketTransport({ port: config.upstreamPort, random: secureRandom }), now: monotonicMs, random: secureRandom },
        policy: { timeoutMs: RESOLVER_DEFAULTS.timeoutMs, retries: RESOLVER_DEFAULTS.retries, backoff: RESOLVER_DEFAULTS.backoff },
        log: options.log,
      }
    : undefined;
  const responder = new AuthResponder(zones, recursion, { dnssec: new DnssecRecords(config.zones), ...(options.inject ? { inject: options.inject.map(toAnswer) } : {}) });
  options.log(`dns: starting authoritative server for [${zones.origins.join(', ')}]${config.recursion ? ' with recursion' : ''}…`);
  const listener = await listen(
    async (raw, meta) => {
      options.observe?.(raw, meta);
      const { bytes, entry } = await responder.respond(raw, meta);
      options.log(formatQueryLog(entry));
      return bytes;
    },
    { port: config.port, address: options.address ?? '0.0.0.0', log: options.log },
  );
  options.log(`dns: authoritative server on udp/tcp ${listener.port} in ${Math.round(monotonicMs() - started)} ms`);
  return {
    port: listener.port,
    stats: () => ({ role: 'server', zones: zones.origins, counters: { ...responder.counters } }),
    close: () => listener.close(),
  };
}
