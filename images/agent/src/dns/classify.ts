// What an upstream response means to an iterative resolver (RFC 1034 §5.3.3 step 4), keeping only
// data in bailiwick: records whose owner is at or below the zone the queried server was asked
// as an authority for. Anything else in the response (the "additional" records a poisoner
// would use) is dropped before it can reach the cache.
import type { Answer, Packet } from 'dns-packet';
import { dataOf, RCODE, rcodeName, rcodeOf } from './message.js';
import { isAtOrBelow, isStrictlyBelow, normalizeName } from './names.js';

export type Classified =
  /** `records` are the RRset asked for, reached through `chain` (CNAMEs, possibly none). */
  | { kind: 'answer'; chain: Answer[]; records: Answer[] }
  /** A CNAME chain whose end is not in this response: resolution continues at `target`. */
  | { kind: 'cname'; chain: Answer[]; target: string }
  | { kind: 'referral'; zone: string; ns: Answer[]; glue: Answer[] }
  /** `name` is the name the negative answer is about (the end of `chain`); `nsec` the NSEC records that came to prove it (DNSSEC). */
  | { kind: 'nxdomain' | 'nodata'; chain: Answer[]; name: string; soa?: Answer; nsec: Answer[] }
  | { kind: 'lame'; reason: string }
  | { kind: 'failure'; rcode: string };

/** The record with its owner (and, for NS and CNAME, its target) in canonical form. */
export function canonical(a: Answer): Answer {
  const data = dataOf(a);
  const named = a.type === 'NS' || a.type === 'CNAME' || a.type === 'PTR';
  return { ...a, name: normalizeName(a.name), ...(named && typeof data === 'string' ? { data: normalizeName(data) } : {}) } as Answer;
}

export function classify(response: Packet, qname: string, qtype: string, bailiwick: string): Classified {
  const rcode = rcodeOf(response);
  if (rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN) return { kind: 'failure', rcode: rcodeName(rcode) };
  const inBailiwick = (records: Answer[] | undefined) =>
    (records ?? []).filter((a) => a.type !== 'OPT').map(canonical).filter((a) => isAtOrBelow(a.name, bailiwick));
  const answers = inBailiwick(response.answers);
  const authorities = inBailiwick(response.authorities);

  const chain: Answer[] = [];
  let name = normalizeName(qname);
  const seen = new Set([name]);
  for (;;) {
    const records = answers.filter((a) => a.name === name && (a.type === qtype || qtype === 'ANY'));
    if (records.length > 0) return { kind: 'answer', chain, records };
    const cname = qtype === 'CNAME' ? undefined : answers.find((a) => a.name === name && a.type === 'CNAME');
    const target = cname ? (dataOf(cname) as string) : undefined;
    if (!cname || target === undefined || seen.has(target)) break;
    chain.push(cname);
    seen.add(target);
    name = target;
  }

  const soa = authorities.find((a) => a.type === 'SOA');
  const nsec = authorities.filter((a) => a.type === 'NSEC');
  if (rcode === RCODE.NXDOMAIN) return { kind: 'nxdomain', chain, name, soa, nsec };
  const ns = authorities.filter((a) => a.type === 'NS');
  if (chain.length === 0 && !soa && ns.length > 0) {
    const zone = ns[0]!.name;
    if (ns.some((r) => r.name !== zone)) return { kind: 'lame', reason: 'NS records for several zones in one referral' };
    if (isAtOrBelow(name, zone) && isStrictlyBelow(zone, bailiwick)) {
      const targets = new Set(ns.map((r) => dataOf(r) as string));
      // Glue in bailiwick only: addresses for names under the zone the referring server serves.
      const glue = inBailiwick(response.additionals).filter((a) => a.type === 'A' && targets.has(a.name));
      return { kind: 'referral', zone, ns, glue };
    }
    if (zone !== bailiwick) return { kind: 'lame', reason: `referral to "${zone}" does not lead below "${bailiwick}"` };
  }
  if (chain.length > 0 && !soa) return { kind: 'cname', chain, target: name };
  return { kind: 'nodata', chain, name, soa, nsec };
}

/** RFC 2308 §5: a negative answer is cached for min(SOA TTL, SOA MINIMUM); undefined without an SOA. */
export function negativeTtl(soa: Answer | undefined): number | undefined {
  if (soa?.type !== 'SOA') return undefined;
  return Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0);
}
