// Authenticated denial of existence with NSEC (RFC 4035 §5.4, RFC 4034 §4): which NSEC records
// prove that a name does not exist (NXDOMAIN), that it has no record of a type (NODATA), or
// that a delegation has no DS (an unsigned child, §5.2). Pure over names and type bitmaps: the
// records' signatures are checked by the validator; this only says whether they prove the point.
import type { Answer } from 'dns-packet';
import { isAtOrBelow, isStrictlyBelow, normalizeName, parentName, wildcardAt } from '../names.js';
import { answerData, compareCanonical, type NsecData } from './wire.js';

export interface Nsec { owner: string; next: string; types: Set<string> }

export function nsecOf(record: Answer): Nsec {
  const d = answerData<NsecData>(record);
  return { owner: normalizeName(record.name), next: normalizeName(d.nextDomain), types: new Set(d.rrtypes) };
}

/** `name` sorts strictly between the NSEC's owner and its next name; the last NSEC of a zone (next = the apex) covers everything after it. */
export function covers(n: Nsec, name: string): boolean {
  const name_ = normalizeName(name);
  const afterOwner = compareCanonical(n.owner, name_) < 0;
  const last = compareCanonical(n.next, n.owner) <= 0;
  return afterOwner && (last ? isAtOrBelow(name_, n.next) : compareCanonical(name_, n.next) < 0);
}

/** An NSEC at a zone cut (NS without SOA, from the parent) or at a DNAME says nothing about names below it. */
const cutsOff = (n: Nsec, name: string) => isStrictlyBelow(name, n.owner) && ((n.types.has('NS') && !n.types.has('SOA')) || n.types.has('DNAME'));

/** The closest encloser a covering NSEC implies: the longest ancestor of `name` that is its owner's or its next name's ancestor (or the name itself). */
export function closestEncloser(n: Nsec, name: string): string {
  for (let a = parentName(normalizeName(name)); a !== undefined; a = parentName(a)) {
    if (isAtOrBelow(n.owner, a) || isAtOrBelow(n.next, a)) return a;
  }
  return '.';
}

/** Undefined when `nsecs` prove `name` does not exist (§5.4: an NSEC covers it and one covers the wildcard at its closest encloser); else why not. */
export function nxdomainProof(name: string, nsecs: Nsec[]): string | undefined {
  const covering = nsecs.find((n) => covers(n, name) && !cutsOff(n, name));
  if (!covering) return `no NSEC covers ${name}`;
  const wildcard = wildcardAt(closestEncloser(covering, name));
  if (!nsecs.some((n) => covers(n, wildcard))) return `no NSEC proves there is no wildcard ${wildcard}`;
  return undefined;
}

/** Undefined when `nsecs` prove `name` exists without a `type` record (§5.4: the NSEC at the name lacks the type and CNAME; an empty non-terminal: an NSEC covering it whose next name is below it). */
export function nodataProof(name: string, type: string, nsecs: Nsec[]): string | undefined {
  const n = normalizeName(name);
  const at = nsecs.find((x) => x.owner === n);
  if (at) {
    if (at.types.has(type)) return `the NSEC at ${n} lists ${type}`;
    if (at.types.has('CNAME')) return `the NSEC at ${n} lists CNAME`;
    // RFC 4035 §5.2: a DS denial comes from the parent's side of the cut (NS, no SOA); the child's apex NSEC (SOA) proves nothing about DS.
    if (type === 'DS' && at.types.has('SOA') && n !== '.') return `the NSEC at ${n} is the child zone's (SOA), not the parent's`;
    if (type !== 'DS' && at.types.has('NS') && !at.types.has('SOA')) return `the NSEC at ${n} is a delegation's (NS, no SOA)`;
    return undefined;
  }
  if (type !== 'DS' && nsecs.some((x) => covers(x, n) && isStrictlyBelow(x.next, n))) return undefined;
  return `no NSEC at ${n} proves it has no ${type}`;
}
