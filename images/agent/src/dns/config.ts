// The contract between the orchestrator and the DNS agents: what a `dns-root` / `dns-tld` /
// `dns-auth` node (DnsServerConfig) or a `dns-resolver` node (DnsResolverConfig) finds in
// `node.config`, fully computed. The parse functions check it, fill the defaults and reject
// unknown keys, so a typo fails at start-up with the path, not silently at query time.
import net from 'node:net';
import { array, boolean, DnsConfigError, integer, number, object, optional, string } from './checks.js';
import { isAtOrBelow } from './names.js';
import { domainName, parseRecord, type DnsRecord } from './record-data.js';

export type { DnsRecord } from './record-data.js';
export { DnsConfigError } from './checks.js';

export interface DnsZone {
  /** '.' for the root, 'edu', 'stanford.edu': lower case, no trailing dot. */
  origin: string;
  /** Absolute lower-case names: SOA + NS at the apex, delegation NS + glue for child zones, wildcards as '*.x.y'. */
  records: DnsRecord[];
}

export interface DnsServerConfig {
  zones: DnsZone[];
  /** RD=1 queries whose answer would be a referral are followed by this server itself (RD=1 upstream, RA=1 back). Default false. */
  recursion?: boolean;
  /** Port to serve on (UDP and TCP). Default 53. */
  port?: number;
  /** Rotate multi-record RRsets per query (round-robin load balancing). Default true. */
  rotate?: boolean;
  /** Port of the servers this one recurses to. Default 53; tests use ephemeral ports. */
  upstreamPort?: number;
}

export interface NameServerHint { name: string; address: string }

export interface DnsResolverConfig {
  mode: 'iterative' | 'recursive';
  /** Where iterative resolution starts. Required (non-empty) in iterative mode. */
  rootHints: NameServerHint[];
  /** Recursive mode: every query goes with RD=1 to these, in order, with failover. */
  forwarders?: string[];
  /** Cache NXDOMAIN and NODATA (RFC 2308). Default true. */
  negativeCache?: boolean;
  /** First per-server timeout in ms. Default 1000. */
  timeoutMs?: number;
  /** Retries per server (after the first try). Default 1. */
  retries?: number;
  /** Each retry waits `backoff` times longer. Default 2. */
  backoff?: number;
  /** Most CNAME records followed in one lookup. Default 8. */
  maxCnameChain?: number;
  /** Most cache entries (RRsets and negative entries), least recently used evicted first; 0 disables caching. Default 10000. */
  cacheSize?: number;
  /** Port to serve clients on. Default 53. */
  port?: number;
  /** Port of the upstream servers (root hints, referrals, forwarders). Default 53; tests use ephemeral ports. */
  upstreamPort?: number;
  /** Defences against poisoning (defences.ts): keep only in-bailiwick data; random source ports; random IDs; 0x20. */
  bailiwick?: boolean;
  randomPort?: boolean;
  randomId?: boolean;
  caseRandomization?: boolean;
  /** Validate DNSSEC from `trustAnchor` (the root KSK): AD on secure answers, SERVFAIL on bogus ones. */
  validate?: boolean;
  trustAnchor?: { flags: number; algorithm: number; key: string } | null;
}

export type ServerSettings = Required<DnsServerConfig>;
export type ResolverSettings = Required<DnsResolverConfig>;

export const SERVER_DEFAULTS = { recursion: false, port: 53, rotate: true, upstreamPort: 53 } as const;
export const RESOLVER_DEFAULTS = {
  forwarders: [] as string[],
  negativeCache: true,
  timeoutMs: 1000,
  retries: 1,
  backoff: 2,
  maxCnameChain: 8,
  cacheSize: 10000,
  port: 53,
  upstreamPort: 53,
  bailiwick: true,
  randomPort: true,
  randomId: true,
  caseRandomization: false,
  validate: false,
  trustAnchor: null as DnsResolverConfig['trustAnchor'],
};

const port = (v: unknown, path: string) => integer(v, path, 0, 65535);

export function parseServerConfig(raw: unknown, path = 'node.config'): ServerSettings {
  const o = object(raw, path, ['zones', 'recursion', 'port', 'rotate', 'upstreamPort']);
  const zones = array(o.zones, `${path}.zones`).map((z, i) => parseZone(z, `${path}.zones[${i}]`));
  if (zones.length === 0) throw new DnsConfigError(`${path}.zones`, 'a DNS server needs at least one zone');
  const seen = new Set<string>();
  zones.forEach((z, i) => {
    if (seen.has(z.origin)) throw new DnsConfigError(`${path}.zones[${i}].origin`, `zone "${z.origin}" appears twice`);
    seen.add(z.origin);
  });
  return {
    zones,
    recursion: optional(o.recursion, SERVER_DEFAULTS.recursion, (v) => boolean(v, `${path}.recursion`)),
    port: optional(o.port, SERVER_DEFAULTS.port, (v) => port(v, `${path}.port`)),
    rotate: optional(o.rotate, SERVER_DEFAULTS.rotate, (v) => boolean(v, `${path}.rotate`)),
    upstreamPort: optional(o.upstreamPort, SERVER_DEFAULTS.upstreamPort, (v) => port(v, `${path}.upstreamPort`)),
  };
}

export function parseZone(raw: unknown, path: string): DnsZone {
  const o = object(raw, path, ['origin', 'records']);
  const origin = domainName(o.origin, `${path}.origin`);
  const records = array(o.records, `${path}.records`).map((r, i) => parseRecord(r, `${path}.records[${i}]`));
  records.forEach((r, i) => {
    if (!isAtOrBelow(r.name, origin)) throw new DnsConfigError(`${path}.records[${i}].name`, `"${r.name}" is not in zone "${origin}"`);
  });
  const soa = records.filter((r) => r.type === 'SOA');
  if (soa.length !== 1 || soa[0]?.name !== origin) {
    throw new DnsConfigError(`${path}.records`, `zone "${origin}" needs exactly one SOA record, at its apex "${origin}" (negative answers carry it); found ${soa.length}`);
  }
  checkCnames(records, path);
  return { origin, records };
}

/** RFC 1034 §3.6.2: a name with a CNAME has no other data. */
function checkCnames(records: DnsRecord[], path: string): void {
  const types = new Map<string, Set<string>>();
  // (A signed CNAME has its RRSIG and NSEC beside it: RFC 4035 §2.5.)
  for (const r of records) if (r.type !== 'RRSIG' && r.type !== 'NSEC') types.set(r.name, (types.get(r.name) ?? new Set()).add(r.type));
  for (const [name, set] of types) {
    if (set.has('CNAME') && set.size > 1) throw new DnsConfigError(`${path}.records`, `"${name}" has a CNAME and other records (${[...set].join(', ')}); a CNAME must be alone`);
    if (set.has('CNAME') && records.filter((r) => r.name === name && r.type === 'CNAME').length > 1) {
      throw new DnsConfigError(`${path}.records`, `"${name}" has more than one CNAME`);
    }
  }
}

function ipv4(v: unknown, path: string): string {
  if (typeof v !== 'string' || !net.isIPv4(v)) throw new DnsConfigError(path, `expected an IPv4 address, found ${JSON.stringify(v)}`);
  return v;
}

export function parseResolverConfig(raw: unknown, path = 'node.config'): ResolverSettings {
  const known = ['mode', 'rootHints', 'forwarders', 'negativeCache', 'timeoutMs', 'retries', 'backoff', 'maxCnameChain', 'cacheSize', 'port', 'upstreamPort', 'bailiwick', 'randomPort', 'randomId', 'caseRandomization', 'validate', 'trustAnchor'];
  const o = object(raw, path, known);
  const mode = o.mode;
  if (mode !== 'iterative' && mode !== 'recursive') throw new DnsConfigError(`${path}.mode`, `expected "iterative" or "recursive", found ${JSON.stringify(mode)}`);
  const rootHints = array(o.rootHints ?? [], `${path}.rootHints`).map((h, i) => {
    const p = `${path}.rootHints[${i}]`;
    const hint = object(h, p, ['name', 'address']);
    return { name: domainName(hint.name, `${p}.name`), address: ipv4(hint.address, `${p}.address`) };
  });
  const forwarders = array(o.forwarders ?? [], `${path}.forwarders`).map((a, i) => ipv4(a, `${path}.forwarders[${i}]`));
  if (mode === 'iterative' && rootHints.length === 0) throw new DnsConfigError(`${path}.rootHints`, 'iterative resolution needs at least one root hint ({name, address})');
  if (mode === 'recursive' && forwarders.length === 0) throw new DnsConfigError(`${path}.forwarders`, 'recursive mode needs at least one forwarder address');
  const d = RESOLVER_DEFAULTS;
  return {
    mode,
    rootHints,
    forwarders,
    negativeCache: optional(o.negativeCache, d.negativeCache, (v) => boolean(v, `${path}.negativeCache`)),
    timeoutMs: optional(o.timeoutMs, d.timeoutMs, (v) => number(v, `${path}.timeoutMs`, 1)),
    retries: optional(o.retries, d.retries, (v) => integer(v, `${path}.retries`, 0, 10)),
    backoff: optional(o.backoff, d.backoff, (v) => number(v, `${path}.backoff`, 1)),
    maxCnameChain: optional(o.maxCnameChain, d.maxCnameChain, (v) => integer(v, `${path}.maxCnameChain`, 0, 64)),
    cacheSize: optional(o.cacheSize, d.cacheSize, (v) => integer(v, `${path}.cacheSize`, 0, 10_000_000)),
    port: optional(o.port, d.port, (v) => port(v, `${path}.port`)),
    upstreamPort: optional(o.upstreamPort, d.upstreamPort, (v) => port(v, `${path}.upstreamPort`)),
    ...defences(o, path),
  };
}

function defences(o: Record<string, unknown>, path: string) {
  const d = RESOLVER_DEFAULTS;
  const flag = (key: 'bailiwick' | 'randomPort' | 'randomId' | 'caseRandomization' | 'validate') => optional(o[key], d[key], (v) => boolean(v, `${path}.${key}`));
  const validate = flag('validate');
  let trustAnchor: DnsResolverConfig['trustAnchor'] = null;
  if (o.trustAnchor !== undefined && o.trustAnchor !== null) {
    const a = object(o.trustAnchor, `${path}.trustAnchor`, ['flags', 'algorithm', 'key']);
    trustAnchor = { flags: integer(a.flags, `${path}.trustAnchor.flags`, 0, 0xffff), algorithm: integer(a.algorithm, `${path}.trustAnchor.algorithm`, 0, 255), key: string(a.key, `${path}.trustAnchor.key`) };
  }
  if (validate && !trustAnchor) throw new DnsConfigError(`${path}.trustAnchor`, 'DNSSEC validation needs the root\'s key as trust anchor: sign the root zone (`dns: zones: { .: { dnssec: true } }`) or set dnssec: false');
  return { bailiwick: flag('bailiwick'), randomPort: flag('randomPort'), randomId: flag('randomId'), caseRandomization: flag('caseRandomization'), validate, trustAnchor };
}
