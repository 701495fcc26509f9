// Signs one zone of the lab (RFC 4035 §2): DNSKEY (KSK + ZSK) at the apex, an RRSIG for every
// authoritative RRset (the DNSKEY RRset by the KSK, the rest by the ZSK), DS for each signed
// child at its cut, and the NSEC chain over the authoritative names in canonical order (denial
// of existence). Not signed: the NS at a cut and glue below it (the child's data). `broken`
// owners get a corrupted signature, for experiments that need a bogus answer. Pure but for
// ECDSA's random nonce.
import type { AgentRecord, AgentZone } from '../dns/plan.js';
import { compareCanonical, labelCount, signData, signedData, type DsData, type RrsigData } from '../../images/agent/src/dns/dnssec/wire.js';
import { dnskeyJson, type ZoneKey, type ZoneKeys } from './keys.js';

export interface SignOptions {
  keys: ZoneKeys;
  /** DS data for each signed child zone, by child name. */
  childDs: Map<string, DsData>;
  /** Owner names whose signatures are deliberately broken. */
  broken: string[];
  /** Validity window, seconds since the epoch (RFC 4034 §3.1.5). */
  inception: number;
  expiration: number;
}

const isBelow = (name: string, zone: string) => zone === '.' ? name !== '.' : name.endsWith(`.${zone}`);
const isAtOrBelow = (name: string, zone: string) => name === zone || isBelow(name, zone);

/** TXT data as the agent serves it (a list of strings). */
const servedData = (r: AgentRecord) => (r.type === 'TXT' && typeof r.data === 'string' ? [r.data] : r.data);

export function signZone(zone: AgentZone, o: SignOptions): AgentZone {
  const apex = zone.origin;
  const soa = zone.records.find((r) => r.type === 'SOA' && r.name === apex);
  if (!soa) throw new Error(`zone ${apex} has no SOA record`);
  const minimum = (soa.data as { minimum: number }).minimum;
  const cuts = [...new Set(zone.records.filter((r) => r.type === 'NS' && r.name !== apex).map((r) => r.name))];
  const belowCut = (name: string) => cuts.some((c) => isBelow(name, c));
  const records: AgentRecord[] = [...zone.records];
  records.push(...[o.keys.ksk, o.keys.zsk].map((k) => ({ name: apex, type: 'DNSKEY', ttl: soa.ttl, data: dnskeyJson(k.dnskey) })));
  for (const cut of cuts) {
    const ds = o.childDs.get(cut);
    const ttl = zone.records.find((r) => r.name === cut && r.type === 'NS')?.ttl ?? soa.ttl;
    if (ds) records.push({ name: cut, type: 'DS', ttl, data: { keyTag: ds.keyTag, algorithm: ds.algorithm, digestType: ds.digestType, digest: ds.digest.toString('base64') } });
  }
  // The NSEC chain: every authoritative owner (cuts included, glue below them not), in canonical order.
  const owners = [...new Set(records.map((r) => r.name))].filter((n) => isAtOrBelow(n, apex) && !belowCut(n)).sort(compareCanonical);
  owners.forEach((owner, i) => {
    const types = new Set(records.filter((r) => r.name === owner).map((r) => r.type));
    const atCut = cuts.includes(owner);
    const rrtypes = [...types, 'RRSIG', 'NSEC'].filter((t) => !atCut || ['NS', 'DS', 'RRSIG', 'NSEC'].includes(t));
    records.push({ name: owner, type: 'NSEC', ttl: minimum, data: { nextDomain: owners[(i + 1) % owners.length]!, rrtypes: [...new Set(rrtypes)] } });
  });
  // RRSIGs over each authoritative RRset (by-client answers are signed as one set: see docs/dns-security.md).
  const sets = new Map<string, AgentRecord[]>();
  for (const r of records) {
    if (!isAtOrBelow(r.name, apex) || belowCut(r.name)) continue;
    if (cuts.includes(r.name) && r.type !== 'DS' && r.type !== 'NSEC') continue;
    const key = `${r.name}\u0000${r.type}`;
    sets.set(key, [...(sets.get(key) ?? []), r]);
  }
  const signatures: AgentRecord[] = [];
  for (const set of sets.values()) {
    const first = set[0]!;
    const key = first.type === 'DNSKEY' ? o.keys.ksk : o.keys.zsk;
    signatures.push({ name: first.name, type: 'RRSIG', ttl: first.ttl, data: rrsig(set, key, apex, o, o.broken.includes(first.name) && first.type !== 'DNSKEY' && first.type !== 'NSEC') });
  }
  return { origin: apex, records: [...records, ...signatures] };
}

function rrsig(set: AgentRecord[], key: ZoneKey, signer: string, o: SignOptions, broken: boolean) {
  const first = set[0]!;
  const header: Omit<RrsigData, 'signature'> = {
    typeCovered: first.type, algorithm: key.dnskey.algorithm, labels: labelCount(first.name), originalTTL: first.ttl,
    expiration: o.expiration, inception: o.inception, keyTag: key.tag, signersName: signer,
  };
  const data = set.map((r) => ({ type: r.type, data: wireData(r) }));
  const signature = signData(key.privateKey, signedData(header, first.name, data));
  if (broken) signature.writeUInt8(signature.readUInt8(0) ^ 0xff, 0);
  return { ...header, signature: signature.toString('base64') };
}

/** The record data as dns-packet encodes it (base64 fields as bytes). */
export function wireData(r: AgentRecord): unknown {
  const d = servedData(r) as Record<string, unknown>;
  if (r.type === 'DNSKEY') return { ...d, key: Buffer.from(d.key as string, 'base64') };
  if (r.type === 'DS') return { ...d, digest: Buffer.from(d.digest as string, 'base64') };
  if (r.type === 'RRSIG') return { ...d, signature: Buffer.from(d.signature as string, 'base64') };
  return d;
}
