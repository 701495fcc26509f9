// The lab's DNS, derived from the topology once addresses are planned: which server serves
// which zone, each zone's SOA and NS records, the delegation (NS + glue) of every zone in its
// closest parent served in the lab, the root hints of the resolvers, and the resolver each
// node's /etc/resolv.conf names. Pure: the DNS agents get it as their node config.
import type { PlannedInterface, Topology, ZoneDef } from '../topology/types.js';
import { closestZone, depth, isAtOrBelow } from './names.js';
import { isServerRole, resolverConfig, serverConfig } from './node-config.js';
import { recordValue } from './records.js';
import { canonical, formatCidr, parseCidr } from '../topology/ipv4.js';
import { signLab } from '../dnssec/sign-lab.js';

/** A record as the agent serves it; `clients` (CIDRs): only askers there get it (a CDN's `by-client` answers). */
export interface AgentRecord { name: string; type: string; ttl: number; data: unknown; clients?: string[] }
export interface AgentZone { origin: string; records: AgentRecord[] }

interface NodeView { name: string; role: string; config: Record<string, unknown>; resolver?: string; interfaces: PlannedInterface[] }

export interface DnsPlan {
  /** The config the agent gets, for DNS nodes. */
  configs: Map<string, Record<string, unknown>>;
  /** Each node's resolver address (when it has one). */
  resolvers: Map<string, string>;
}

interface Server { node: string; address: string; nsName(zone: string): string }

export function planDns(topology: Topology, nodes: NodeView[]): DnsPlan {
  const addressOf = (name: string) => nodes.find((n) => n.name === name)?.interfaces[0]?.address ?? '';
  // `by-client` keys: a network stands for its subnet, a node for each of its addresses.
  const askers = (key: string): string[] => {
    const node = nodes.find((n) => n.name === key);
    if (node) return node.interfaces.map((i) => `${i.address}/32`);
    const member = nodes.flatMap((n) => n.interfaces).find((i) => i.network === key);
    const cidr = member && parseCidr(`${member.address}/${member.prefix}`);
    return cidr ? [formatCidr(canonical(cidr))] : [];
  };
  const servers = nodes.filter((n) => isServerRole(n.role)).map((n) => ({ node: n, config: serverConfig(n.role, n.config).value }));
  const resolverNodes = nodes.filter((n) => n.role === 'dns-resolver').map((n) => ({ node: n, config: resolverConfig(n.config).value }));
  const anyRecursive = resolverNodes.some((r) => r.config.mode === 'recursive');

  // Zones served in the lab, each with its servers in topology order (the first is the primary).
  const zoneNames = [...new Set(servers.flatMap((s) => s.config.zones))].sort((a, b) => depth(a) - depth(b));
  const serversOf = new Map(zoneNames.map((z) => [z, servers.filter((s) => s.config.zones.includes(z)).map((s): Server => ({
    node: s.node.name,
    address: addressOf(s.node.name),
    nsName: (zone) => s.config.name ?? (zone === '.' ? `${s.node.name}.root-servers.net` : `${s.node.name}.${zone}`),
  }))]));
  const zoneDef = (z: string): ZoneDef => topology.dns.zones.find((d) => d.name === z) ?? { name: z, ttl: 3600, negativeTtl: 300, records: [] };
  const parentOf = (z: string) => (z === '.' ? undefined : closestZone(z, zoneNames.filter((p) => p !== z && isAtOrBelow(z, p))));

  const { zones, trustAnchor } = signLab(topology.name, new Map<string, AgentZone>(zoneNames.map((z) => [z, buildZone(z)])), zoneDef, parentOf);
  function buildZone(z: string): AgentZone {
    const def = zoneDef(z);
    const own = serversOf.get(z) ?? [];
    const records: AgentRecord[] = [];
    const add = (r: AgentRecord) => { if (!records.some((x) => x.name === r.name && x.type === r.type && JSON.stringify(x.data) === JSON.stringify(r.data) && String(x.clients) === String(r.clients))) records.push(r); };
    add({ name: z, type: 'SOA', ttl: def.ttl, data: { mname: own[0]?.nsName(z) ?? z, rname: z === '.' ? 'hostmaster.root-servers.net' : `hostmaster.${z}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: def.negativeTtl } });
    for (const s of own) add({ name: z, type: 'NS', ttl: def.ttl, data: s.nsName(z) });
    // The servers' own names, where they fall in this zone (or below it, as glue).
    for (const s of own) if (isAtOrBelow(s.nsName(z), z)) add({ name: s.nsName(z), type: 'A', ttl: def.ttl, data: s.address });
    // Every child zone served in the lab, delegated here with glue for names under this zone.
    for (const child of zoneNames.filter((c) => parentOf(c) === z)) {
      const childTtl = zoneDef(child).ttl;
      for (const s of serversOf.get(child) ?? []) {
        add({ name: child, type: 'NS', ttl: childTtl, data: s.nsName(child) });
        if (isAtOrBelow(s.nsName(child), z)) add({ name: s.nsName(child), type: 'A', ttl: childTtl, data: s.address });
      }
    }
    for (const r of def.records) {
      // (A TXT record of a master file may hold several strings: they stay one record.)
      const value = Array.isArray(r.value) ? { data: r.value } : recordValue(r.type, r.value, r.origin, nodes.map((n) => n.name));
      add({ name: r.owner, type: r.type, ttl: r.ttl, data: 'node' in value ? addressOf(value.node) : value.data, ...(r.client === undefined ? {} : { clients: askers(r.client) }) });
    }
    return { origin: z, records };
  }

  const configs = new Map<string, Record<string, unknown>>();
  for (const s of servers) {
    const inject = Object.entries(s.config.inject ?? {}).map(([name, value]) => ({ name, type: 'A', ttl: 3600, data: nodes.some((n) => n.name === value) ? addressOf(value) : value }));
    configs.set(s.node.name, {
      zones: s.config.zones.map((z) => zones.get(z)!), recursion: s.config.recursion ?? anyRecursive,
      ...(s.node.role === 'dns-attacker' ? { inject, address: addressOf(s.node.name) } : {}),
    });
  }
  const rootHints = (serversOf.get('.') ?? []).map((s) => ({ name: s.nsName('.'), address: s.address }));
  for (const { node, config } of resolverNodes) {
    const forwarders = config.forwarders.length > 0 ? config.forwarders.map(addressOf) : rootHints.map((h) => h.address);
    configs.set(node.name, {
      mode: config.mode, rootHints, ...(config.mode === 'recursive' ? { forwarders } : {}),
      negativeCache: config.negativeCache, timeoutMs: config.timeoutMs, retries: config.retries, backoff: config.backoff, cacheSize: config.cacheSize,
      bailiwick: config.defences.bailiwick, randomPort: config.defences.randomPort, randomId: config.defences.randomId, caseRandomization: config.defences.caseRandomization,
      validate: config.defences.dnssec ?? trustAnchor !== undefined, ...(trustAnchor ? { trustAnchor } : {}),
    });
  }

  const resolvers = new Map<string, string>();
  for (const n of nodes) {
    if (n.resolver === undefined) continue;
    const resolver = nodes.find((r) => r.name === n.resolver);
    if (!resolver) continue;
    // The resolver's address on a network both share, so the query takes the direct path.
    const shared = resolver.interfaces.find((i) => n.interfaces.some((j) => j.network === i.network));
    resolvers.set(n.name, (shared ?? resolver.interfaces[0])?.address ?? '');
  }
  return { configs, resolvers };
}

