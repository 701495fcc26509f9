// What an authoritative server adds for a DO=1 query (RFC 4035 §3.1): the RRSIGs of every RRset
// it returns, the NSEC records that prove a name or type does not exist (§3.1.3), and at a
// referral the DS of the child with its RRSIG, or the NSEC proving there is none (§3.1.4).
// The records come signed from the orchestrator; this only picks them. Pure.
import type { Answer } from 'dns-packet';
import type { DnsZone } from '../config.js';
import { isAtOrBelow, isStrictlyBelow, parentName } from '../names.js';
import { toAnswer, type DnsRecord } from '../record-data.js';
import { compareCanonical } from './wire.js';

export interface SignedAnswer { kind: string; answers: Answer[]; authorities: Answer[]; additionals: Answer[]; referral?: { zone: string } }

interface SignedZone { origin: string; nsec: DnsRecord[]; byOwner: Map<string, DnsRecord[]> }

export class DnssecRecords {
  private readonly zones: SignedZone[];

  constructor(zones: DnsZone[]) {
    this.zones = zones.filter((z) => z.records.some((r) => r.type === 'DNSKEY')).map((z) => {
      const byOwner = new Map<string, DnsRecord[]>();
      for (const r of z.records) byOwner.set(r.name, [...(byOwner.get(r.name) ?? []), r]);
      const nsec = z.records.filter((r) => r.type === 'NSEC').sort((a, b) => compareCanonical(a.name, b.name));
      return { origin: z.origin, nsec, byOwner };
    });
  }

  /** The sections with their DNSSEC records added. */
  sign(found: SignedAnswer, qname: string): SignedAnswer {
    const authorities = this.withSigs(found.authorities);
    const zone = this.zoneOf(found.referral ? parentName(found.referral.zone) ?? '.' : qname);
    if (!zone) return found;
    if (found.kind === 'referral' && found.referral) {
      const cut = found.referral.zone;
      const ds = this.records(zone, cut, 'DS');
      const proof = ds.length > 0 ? ds : this.records(zone, cut, 'NSEC');
      return { ...found, authorities: [...authorities, ...proof.map(toAnswer), ...this.sigsOf(zone, cut, proof[0]?.type)] };
    }
    const proofs: DnsRecord[] = [];
    if (found.kind === 'nodata') proofs.push(...this.records(zone, lastOwner(found.answers) ?? qname, 'NSEC'));
    if (found.kind === 'nxdomain') {
      const name = lastOwner(found.answers, true) ?? qname;
      const covering = this.covering(zone, name);
      const encloser = this.closestEncloser(zone, name);
      const wildcard = this.covering(zone, encloser === '.' ? '*' : `*.${encloser}`);
      for (const n of [covering, wildcard]) if (n && !proofs.includes(n)) proofs.push(n);
    }
    const nsec = proofs.flatMap((n) => [toAnswer(n), ...this.sigsOf(zone, n.name, 'NSEC')]);
    return { ...found, answers: this.withSigs(found.answers), authorities: [...authorities, ...nsec] };
  }

  /** `records` followed by the RRSIGs of each of their RRsets. */
  private withSigs(records: Answer[]): Answer[] {
    const seen = new Set<string>();
    const sigs: Answer[] = [];
    for (const r of records) {
      const key = `${r.name} ${r.type}`;
      if (seen.has(key) || r.type === 'RRSIG' || r.type === 'OPT') continue;
      seen.add(key);
      const zone = this.zoneOf(r.type === 'DS' ? parentName(r.name) ?? '.' : r.name);
      if (zone) sigs.push(...this.sigsOf(zone, r.name, r.type));
    }
    return [...records, ...sigs];
  }

  private sigsOf(zone: SignedZone, owner: string, type: string | undefined): Answer[] {
    return (zone.byOwner.get(owner) ?? []).filter((r) => r.type === 'RRSIG' && (r.data as { typeCovered: string }).typeCovered === type).map(toAnswer);
  }

  private records(zone: SignedZone, owner: string, type: string): DnsRecord[] {
    return (zone.byOwner.get(owner) ?? []).filter((r) => r.type === type);
  }

  /** The signed zone holding `name` (the deepest origin at or above it). */
  private zoneOf(name: string): SignedZone | undefined {
    return this.zones.filter((z) => isAtOrBelow(name, z.origin)).sort((a, b) => b.origin.length - a.origin.length)[0];
  }

  /** The NSEC whose owner sorts before `name` and whose next name after it (RFC 4034 §4.1.1), wrapping at the end. */
  private covering(zone: SignedZone, name: string): DnsRecord | undefined {
    return coveringNsec(zone.nsec, name);
  }

  private closestEncloser(zone: SignedZone, name: string): string {
    for (let n = parentName(name); n !== undefined; n = parentName(n)) {
      if (!isAtOrBelow(n, zone.origin)) break;
      if (zone.byOwner.has(n) || [...zone.byOwner.keys()].some((o) => isStrictlyBelow(o, n))) return n;
    }
    return zone.origin;
  }
}

/** The NSEC of `chain` (sorted canonically) that covers `name`, if any. */
export function coveringNsec(chain: DnsRecord[], name: string): DnsRecord | undefined {
  let best: DnsRecord | undefined;
  for (const n of chain) if (compareCanonical(n.name, name) < 0) best = n;
  return best ?? chain[chain.length - 1];
}

/** The owner the response ended at: the last CNAME's target (or, `nx`, that name) when the answer holds a chain. */
function lastOwner(answers: Answer[], nx = false): string | undefined {
  const cnames = answers.filter((a) => a.type === 'CNAME');
  const last = cnames[cnames.length - 1];
  return last ? ((last as { data: string }).data).toLowerCase() : nx ? undefined : undefined;
}
