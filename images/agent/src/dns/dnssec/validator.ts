// The resolver's DNSSEC validation (RFC 4035 §5): the chain of trust from the root's key (the
// trust anchor) down — each zone's DNSKEY RRset signed by a key its parent's signed DS record
// names — and each RRset's RRSIG checked against its zone's keys. Verdicts: secure (AD=1),
// insecure (no DS above it: not signed), bogus (SERVFAIL). The chain is fetched through
// `lookup` (the resolver itself); verdicts on keys are memoised until flush.
import type { Answer } from 'dns-packet';
import { isAtOrBelow, normalizeName, parentName } from '../names.js';
import { nodataProof, nsecOf, nxdomainProof } from './nsec.js';
import { answerData, dsMatches, keyTag, serialLte, signedData, signedOwner, verifyData, type DnskeyData, type DsData, type RrsigData } from './wire.js';

export type Verdict = { status: 'secure' } | { status: 'insecure'; reason: string } | { status: 'bogus'; reason: string };

/** A negative answer about `name`/`type` with what came to prove it: the zone's SOA and NSEC records, and their RRSIGs. */
export interface Denial { kind: 'nxdomain' | 'nodata'; name: string; type: string; soa?: Answer; nsec: Answer[]; sigs: Answer[] }

export type Fetched = { records: Answer[]; sigs: Answer[] } | ({ negative: true } & Denial) | { failed: string };

export interface ValidatorDeps {
  /** Resolves name/type (cache first) and returns the RRset with its RRSIGs. */
  lookup(name: string, type: string): Promise<Fetched>;
  /** The zone `name` belongs to as far as the resolver knows (its deepest cached zone cut). */
  zoneOf(name: string): string;
  /** Seconds since the epoch. */
  now(): number;
}

type Keys = { keys: DnskeyData[] } | { insecure: string } | { bogus: string };

/** Checks one RRset's signatures against `keys`: the first RRSIG that verifies makes it secure (RFC 4035 §5.3). */
export function verifyRRset(records: Answer[], sigs: Answer[], keys: DnskeyData[], now: number): Verdict {
  const first = records[0];
  if (!first) return { status: 'bogus', reason: 'empty RRset' };
  const covering = sigs.filter((s) => s.type === 'RRSIG' && normalizeName(s.name) === normalizeName(first.name) && answerData<RrsigData>(s).typeCovered === first.type);
  if (covering.length === 0) return { status: 'bogus', reason: `no RRSIG for ${first.name} ${first.type}` };
  const reasons: string[] = [];
  for (const s of covering) {
    const sig = answerData<RrsigData>(s);
    if (!serialLte(sig.inception, now) || !serialLte(now, sig.expiration)) { reasons.push(`RRSIG (key ${sig.keyTag}) outside its validity period`); continue; }
    if (!isAtOrBelow(normalizeName(first.name), normalizeName(sig.signersName))) { reasons.push(`signer ${sig.signersName} is not above ${first.name}`); continue; }
    const candidates = keys.filter((k) => keyTag(k) === sig.keyTag && k.algorithm === sig.algorithm);
    if (candidates.length === 0) { reasons.push(`no DNSKEY with tag ${sig.keyTag}`); continue; }
    const { signature, ...header } = sig;
    const data = signedData(header, signedOwner(first.name, sig), records.map((r) => ({ type: r.type, data: answerData(r) })));
    if (candidates.some((k) => verifyData(k, data, signature))) return { status: 'secure' };
    reasons.push(`RRSIG (key ${sig.keyTag}) of ${first.name} ${first.type} does not verify`);
  }
  return { status: 'bogus', reason: reasons.join('; ') };
}

export class ChainValidator {
  private readonly keys = new Map<string, Promise<Keys>>();

  constructor(private readonly anchor: DnskeyData, private readonly deps: ValidatorDeps) {}

  /** Forgets every zone's keys (the cache was flushed). */
  flush(): void {
    this.keys.clear();
  }

  async validate(records: Answer[], sigs: Answer[]): Promise<Verdict> {
    const first = records[0];
    if (!first) return { status: 'bogus', reason: 'empty RRset' };
    const owner = normalizeName(first.name);
    const own = sigs.filter((s) => normalizeName(s.name) === owner && answerData<RrsigData>(s).typeCovered === first.type);
    const signer = own[0] ? normalizeName(answerData<RrsigData>(own[0]).signersName) : first.type === 'DS' ? parentName(owner) ?? '.' : this.deps.zoneOf(owner);
    const keys = await this.keysOf(signer);
    if ('insecure' in keys) return { status: 'insecure', reason: keys.insecure };
    if ('bogus' in keys) return { status: 'bogus', reason: keys.bogus };
    return verifyRRset(records, own, keys.keys, this.deps.now());
  }

  /**
   * A negative answer (RFC 4035 §5.4): secure when its SOA and NSEC records verify and the NSECs,
   * signed by a zone holding the name, prove the denial; insecure when that zone is unsigned;
   * bogus when the proof is missing, forged or does not cover the name.
   */
  async validateDenial(d: Denial): Promise<Verdict> {
    const name = normalizeName(d.name);
    const records = [...(d.soa ? [d.soa] : []), ...d.nsec];
    if (records.length === 0) {
      // Nothing to check: only an unsigned zone may deny without proof.
      const zone = this.deps.zoneOf(d.type === 'DS' ? parentName(name) ?? '.' : name);
      const keys = await this.keysOf(zone);
      if ('keys' in keys) return { status: 'bogus', reason: `no SOA or NSEC proves ${d.kind} for ${name} in the signed zone ${zone}` };
      return 'insecure' in keys ? { status: 'insecure', reason: keys.insecure } : { status: 'bogus', reason: keys.bogus };
    }
    let insecure: Verdict | undefined;
    for (const r of records) {
      const verdict = await this.validate([r], d.sigs);
      if (verdict.status === 'bogus') return { status: 'bogus', reason: `${r.type} of the denial: ${verdict.reason}` };
      if (verdict.status === 'insecure') insecure = verdict;
    }
    if (insecure) return insecure;
    if (d.nsec.length === 0) return { status: 'bogus', reason: `no NSEC proves ${d.kind} for ${name} ${d.type}` };
    // An NSEC from another signed zone (one not holding the name) proves nothing here.
    const foreign = d.nsec.find((r) => !d.sigs.some((s) => normalizeName(s.name) === normalizeName(r.name) && answerData<RrsigData>(s).typeCovered === 'NSEC' && isAtOrBelow(name, normalizeName(answerData<RrsigData>(s).signersName))));
    if (foreign) return { status: 'bogus', reason: `the NSEC at ${foreign.name} is not signed by a zone holding ${name}` };
    const nsecs = d.nsec.map(nsecOf);
    const failed = d.kind === 'nxdomain' ? nxdomainProof(name, nsecs) : nodataProof(name, d.type, nsecs);
    return failed ? { status: 'bogus', reason: failed } : { status: 'secure' };
  }

  private keysOf(zone: string): Promise<Keys> {
    let found = this.keys.get(zone);
    if (!found) {
      found = this.fetchKeys(zone);
      this.keys.set(zone, found);
      // A failure to fetch is not remembered: the next lookup tries again.
      void found.then((k) => { if ('bogus' in k && k.bogus.startsWith('cannot')) this.keys.delete(zone); });
    }
    return found;
  }

  /** The zone's DNSKEYs once a trusted key (the anchor, or one a validated DS names) has signed them. */
  private async fetchKeys(zone: string): Promise<Keys> {
    let trusted: DnskeyData[];
    if (zone === '.') {
      trusted = [this.anchor];
    } else {
      const ds = await this.deps.lookup(zone, 'DS');
      if ('failed' in ds) return { bogus: `cannot fetch DS of ${zone}: ${ds.failed}` };
      // No DS: the delegation is unsigned (RFC 4035 §5.2) — but only if the signed parent proves it
      // (an NSEC at the cut without the DS bit); else anyone could strip the DS to downgrade the child.
      if ('negative' in ds) {
        const proof = await this.validateDenial(ds);
        if (proof.status === 'bogus') return { bogus: `no DS for ${zone} and no valid proof of it: ${proof.reason}` };
        if (proof.status === 'insecure') return { insecure: proof.reason };
        return ds.kind === 'nodata' ? { insecure: `${zone} has no DS (proven by the parent's NSEC)` } : { bogus: `${zone} does not exist in its parent (NSEC)` };
      }
      const dsVerdict = await this.validate(ds.records, ds.sigs);
      if (dsVerdict.status !== 'secure') return dsVerdict.status === 'insecure' ? { insecure: dsVerdict.reason } : { bogus: `DS of ${zone}: ${dsVerdict.reason}` };
      const dnskeys = await this.deps.lookup(zone, 'DNSKEY');
      if (!('records' in dnskeys)) return { bogus: `cannot fetch DNSKEY of ${zone}` };
      const digests = ds.records.map((r) => answerData<DsData>(r));
      trusted = dnskeys.records.map((r) => answerData<DnskeyData>(r)).filter((k) => digests.some((d) => dsMatches(zone, k, d)));
      if (trusted.length === 0) return { bogus: `no DNSKEY of ${zone} matches its DS` };
    }
    const dnskeys = zone === '.' ? await this.deps.lookup('.', 'DNSKEY') : await this.deps.lookup(zone, 'DNSKEY');
    if (!('records' in dnskeys)) return { bogus: `cannot fetch DNSKEY of ${zone}` };
    const all = dnskeys.records.map((r) => answerData<DnskeyData>(r));
    if (zone === '.' && !all.some((k) => k.key.equals(this.anchor.key))) return { bogus: 'the root DNSKEY set does not hold the trust anchor' };
    const verdict = verifyRRset(dnskeys.records, dnskeys.sigs, trusted, this.deps.now());
    if (verdict.status !== 'secure') return { bogus: `DNSKEY of ${zone}: ${verdict.status === 'bogus' ? verdict.reason : ''}` };
    return { keys: all };
  }
}
