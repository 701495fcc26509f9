// Authoritative answers from a set of zones (RFC 1034 §4.3.2, RFC 2308, RFC 4592). Pure: no
// sockets, no clock. The only state is the round-robin position of each multi-record RRset.
import type { Answer } from 'dns-packet';
import type { DnsZone } from './config.js';
import { dataOf, RCODE } from './message.js';
import { closestOrigin, isAtOrBelow, namesBelow, normalizeName, parentName, wildcardAt } from './names.js';
import { inSubnet, targetOf, toAnswer, type DnsRecord } from './record-data.js';
import type { NameServer } from './upstream.js';

export type AnswerKind = 'answer' | 'referral' | 'nxdomain' | 'nodata' | 'refused';

export interface ZoneAnswer {
  kind: AnswerKind;
  rcode: number;
  /** AA: the first owner name is in a zone this server is authoritative for (not below a cut). */
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** For referrals: the delegated zone and the servers we have addresses (glue) for. */
  referral?: { zone: string; servers: NameServer[] };
}

/** RFC 1034 §3.6.2 leaves the bound to implementations; BIND and Unbound stop around here too. */
const MAX_CNAME_FOLLOW = 8;

interface RRset { records: DnsRecord[]; turn: number }

interface Zone {
  origin: string;
  soa: DnsRecord;
  nodes: Map<string, Map<string, RRset>>;
  /** Names with data plus the empty non-terminals between them and the apex (RFC 4592 §2.2.2). */
  existing: Set<string>;
}

interface Single extends ZoneAnswer { cnameTarget?: string }

export class ZoneSet {
  private readonly zones = new Map<string, Zone>();

  constructor(zones: DnsZone[], private readonly options: { rotate: boolean } = { rotate: true }) {
    for (const z of zones) this.zones.set(z.origin, buildZone(z));
  }

  get origins(): string[] {
    return [...this.zones.keys()];
  }

  /** Whether `name` falls in one of our zones (perhaps below a delegation). */
  covers(name: string): boolean {
    return closestOrigin(this.zones.keys(), normalizeName(name)) !== undefined;
  }

  /** `client`: the asker's address, for records that answer only some clients (a CDN's replicas). */
  lookup(qname: string, qtype: string, client?: string): ZoneAnswer {
    const name = normalizeName(qname);
    const first = this.lookupOne(name, qtype, client);
    if (first.kind === 'refused' || first.kind === 'referral') return first;
    const answers = [...first.answers];
    const additionals = [...first.additionals];
    let last: Single = first;
    const seen = new Set([name]);
    // Follow the CNAME chain while it stays in data we are authoritative for; a resolver continues from where we stop.
    for (let target = first.cnameTarget, hops = 0; target && !seen.has(target) && hops < MAX_CNAME_FOLLOW; hops++) {
      seen.add(target);
      const next = this.lookupOne(target, qtype, client);
      if (next.kind === 'refused' || next.kind === 'referral') break;
      answers.push(...next.answers);
      additionals.push(...next.additionals);
      last = next;
      target = next.cnameTarget;
    }
    // The rcode and the kind describe the end of the chain (RFC 6604).
    return { kind: last.kind, rcode: last.rcode, authoritative: first.authoritative, answers, authorities: last.authorities, additionals };
  }

  private lookupOne(name: string, qtype: string, client?: string): Single {
    const origin = closestOrigin(this.zones.keys(), name);
    const zone = origin === undefined ? undefined : this.zones.get(origin);
    if (!zone) return { kind: 'refused', rcode: RCODE.REFUSED, authoritative: false, answers: [], authorities: [], additionals: [] };
    for (const n of namesBelow(zone.origin, name)) {
      // DS lives on the parent side of a cut (RFC 4035 §2.4); everything else at or below a cut is referred.
      if (zone.nodes.get(n)?.has('NS') && !(n === name && qtype === 'DS')) return this.referral(zone, n);
    }
    const node = zone.nodes.get(name);
    if (node) return this.fromNode(zone, node, qtype, name, client);
    if (zone.existing.has(name)) return negative(zone, 'nodata');
    const encloser = closestEncloser(zone, name);
    const source = wildcardAt(encloser);
    if (zone.existing.has(source)) return this.fromNode(zone, zone.nodes.get(source) ?? new Map(), qtype, name, client);
    return negative(zone, 'nxdomain');
  }

  private fromNode(zone: Zone, node: Map<string, RRset>, qtype: string, owner: string, client?: string): Single {
    const base = { rcode: RCODE.NOERROR, authoritative: true, authorities: [] as Answer[] };
    const cname = node.get('CNAME');
    if (cname && qtype !== 'CNAME' && qtype !== 'ANY') {
      const target = cname.records[0]?.data as string;
      return { ...base, kind: 'answer', answers: this.emit(cname, owner), additionals: [], cnameTarget: target };
    }
    const sets = qtype === 'ANY' ? [...node.values()] : [node.get(qtype)].filter((s): s is RRset => s !== undefined);
    if (sets.length === 0) return negative(zone, 'nodata');
    const answers = sets.flatMap((s) => this.emit(s, owner, client));
    const targets = sets.flatMap((s) => s.records.map(targetOf)).filter((t): t is string => t !== undefined && qtype !== 'CNAME');
    return { ...base, kind: 'answer', answers, additionals: targets.flatMap((t) => this.addresses(t)) };
  }

  private referral(zone: Zone, cut: string): Single {
    const ns = zone.nodes.get(cut)?.get('NS');
    const authorities = ns ? this.emit(ns, cut) : [];
    const targets = ns?.records.map((r) => r.data as string) ?? [];
    // In-zone glue only: addresses for names under the zone we serve, which the child's servers need to be reached.
    const glue = targets.filter((t) => isAtOrBelow(t, zone.origin)).flatMap((t) => this.addressesIn(zone, t));
    const servers = glue.filter((g) => g.type === 'A').map((g) => ({ name: g.name, address: dataOf(g) as string }));
    return { kind: 'referral', rcode: RCODE.NOERROR, authoritative: false, answers: [], authorities, additionals: glue, referral: { zone: cut, servers } };
  }

  /** A and AAAA records for `name` from whichever of our zones holds it (additional-section processing, RFC 1035 §3.3). */
  private addresses(name: string): Answer[] {
    const origin = closestOrigin(this.zones.keys(), name);
    const zone = origin === undefined ? undefined : this.zones.get(origin);
    return zone ? this.addressesIn(zone, name) : [];
  }

  private addressesIn(zone: Zone, name: string): Answer[] {
    const node = zone.nodes.get(name);
    return ['A', 'AAAA'].flatMap((t) => {
      const set = node?.get(t);
      return set ? this.emit(set, name) : [];
    });
  }

  /** The RRset as answers owned by `owner` (those meant for `client`), rotated one step further each time when rotation is on. */
  private emit(set: RRset, owner: string, client?: string): Answer[] {
    let records = forClient(set.records, client);
    if (this.options.rotate && records.length > 1) {
      const k = set.turn++ % records.length;
      records = [...records.slice(k), ...records.slice(0, k)];
    }
    return records.map((r) => toAnswer({ ...r, name: owner }));
  }
}

/**
 * Records restricted to some clients (`clients`) answer only those clients; the unrestricted ones
 * answer everyone else; a client no record names, with no unrestricted record, gets them all.
 */
function forClient(records: DnsRecord[], client: string | undefined): DnsRecord[] {
  if (!records.some((r) => r.clients)) return records;
  const mine = client === undefined ? [] : records.filter((r) => r.clients?.some((c) => inSubnet(client, c)));
  if (mine.length > 0) return mine;
  const general = records.filter((r) => !r.clients);
  return general.length > 0 ? general : records;
}

function buildZone(z: DnsZone): Zone {
  const nodes = new Map<string, Map<string, RRset>>();
  const existing = new Set<string>([z.origin]);
  for (const r of z.records) {
    const node = nodes.get(r.name) ?? new Map<string, RRset>();
    nodes.set(r.name, node);
    const set = node.get(r.type) ?? { records: [], turn: 0 };
    set.records.push(r);
    node.set(r.type, set);
    for (let n: string | undefined = r.name; n !== undefined && isAtOrBelow(n, z.origin); n = parentName(n)) {
      existing.add(n);
      if (n === z.origin) break;
    }
  }
  const soa = z.records.find((r) => r.type === 'SOA' && r.name === z.origin);
  if (!soa) throw new Error(`zone "${z.origin}" has no SOA record at its apex`);
  return { origin: z.origin, soa, nodes, existing };
}

/** RFC 4592 §3.3.1: the longest existing ancestor of a name that does not exist. */
function closestEncloser(zone: Zone, name: string): string {
  for (let n = parentName(name); n !== undefined; n = parentName(n)) {
    if (zone.existing.has(n)) return n;
  }
  return zone.origin;
}

/** NXDOMAIN or NODATA with the zone's SOA, whose TTL is the negative TTL (RFC 2308 §3). */
function negative(zone: Zone, kind: 'nxdomain' | 'nodata'): Single {
  const minimum = (zone.soa.data as { minimum: number }).minimum;
  const soa = toAnswer({ ...zone.soa, ttl: Math.min(zone.soa.ttl, minimum) });
  return { kind, rcode: kind === 'nxdomain' ? RCODE.NXDOMAIN : RCODE.NOERROR, authoritative: true, answers: [], authorities: [soa], additionals: [] };
}
