import type { Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { dsOf, zoneKeys } from '../../../orchestrator/dnssec/keys.js';
import { signZone, wireData } from '../../../orchestrator/dnssec/sign.js';
import type { AgentZone } from '../../../orchestrator/dns/plan.js';
import { ChainValidator, type Denial, type Fetched } from '../../../images/agent/src/dns/dnssec/validator.js';
import { covers, nodataProof, nsecOf, nxdomainProof, type Nsec } from '../../../images/agent/src/dns/dnssec/nsec.js';
import dnsPacket from 'dns-packet';
import { buildQuery } from '../../../images/agent/src/dns/client.js';
import { ResolverFrontEnd } from '../../../images/agent/src/dns/resolver-server.js';
import type { Resolution, Resolver } from '../../../images/agent/src/dns/resolver.js';

// Denial of existence (RFC 4035 §5.4) and the unsigned delegation (§5.2), over zones signed by the
// orchestrator's own signer: root -> edu (signed) -> bank.edu (signed), edu -> evil.edu (unsigned).
const soa = (z: string) => ({ name: z, type: 'SOA', ttl: 3600, data: { mname: `ns.${z}`, rname: `h.${z}`, serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 300 } });
const lab = 'unit';
const window = { inception: 1735689600, expiration: 3629145600 };
const zones: AgentZone[] = [
  { origin: '.', records: [soa('.'), { name: 'edu', type: 'NS', ttl: 3600, data: 'a.edu' }] },
  { origin: 'edu', records: [soa('edu'), { name: 'bank.edu', type: 'NS', ttl: 3600, data: 'ns.bank.edu' }, { name: 'evil.edu', type: 'NS', ttl: 3600, data: 'ns.evil.edu' }] },
  { origin: 'bank.edu', records: [soa('bank.edu'), { name: 'www.bank.edu', type: 'A', ttl: 3600, data: '10.0.0.80' }, { name: 'mail.bank.edu', type: 'A', ttl: 3600, data: '10.0.0.81' }] },
];
const child = new Map([['.', 'edu'], ['edu', 'bank.edu']]);
const signed = zones.map((z) => signZone(z, { keys: zoneKeys(lab, z.origin), childDs: new Map(child.has(z.origin) ? [[child.get(z.origin)!, dsOf(zoneKeys(lab, child.get(z.origin)!))]] : []), broken: [], ...window }));
const answer = (r: { name: string; type: string; ttl: number; data: unknown }) => ({ name: r.name, type: r.type, class: 'IN', ttl: r.ttl, data: wireData(r as never) }) as Answer;
const zoneOf = (n: string) => (n === 'evil.edu' || n.endsWith('.evil.edu') ? 'evil.edu' : n === 'bank.edu' || n.endsWith('.bank.edu') ? 'bank.edu' : n === 'edu' || n.endsWith('.edu') ? 'edu' : '.');
const zone = (origin: string) => signed.find((s) => s.origin === origin)!;
const sigsOf = (origin: string, name: string, type: string) =>
  zone(origin).records.filter((r) => r.name === name && r.type === 'RRSIG' && (r.data as { typeCovered: string }).typeCovered === type).map(answer);
const nsecRecord = (origin: string, owner: string) => answer(zone(origin).records.find((r) => r.name === owner && r.type === 'NSEC')!);
/** What an honest authoritative server of `origin` sends to deny `name`/`type`: SOA, the NSECs named, and their RRSIGs. */
function denial(origin: string, kind: Denial['kind'], name: string, type: string, owners: string[]): Denial {
  const s = answer(zone(origin).records.find((r) => r.type === 'SOA')!);
  const nsec = owners.map((o) => nsecRecord(origin, o));
  return { kind, name, type, soa: s, nsec, sigs: [...sigsOf(origin, origin, 'SOA'), ...owners.flatMap((o) => sigsOf(origin, o, 'NSEC'))] };
}
/** The lab's servers: DS from the parent (or its NSEC proof), everything else from the zone itself. */
let dsAnswer: (name: string) => Fetched = (name) => {
  const parent = zone(name === 'edu' ? '.' : 'edu');
  const records = parent.records.filter((r) => r.name === name && r.type === 'DS').map(answer);
  if (records.length > 0) return { records, sigs: sigsOf(parent.origin, name, 'DS') };
  return { negative: true, ...denial(parent.origin, 'nodata', name, 'DS', [name]) };
};
function lookup(name: string, type: string): Fetched {
  if (type === 'DS') return dsAnswer(name);
  const z = zone(zoneOf(name));
  return { records: z.records.filter((r) => r.name === name && r.type === type).map(answer), sigs: sigsOf(z.origin, name, type) };
}
const validator = () => new ChainValidator(zoneKeys(lab, '.').ksk.dnskey, { lookup: async (n, t) => lookup(n, t), zoneOf, now: () => 1790000000 });
const chainOf = (origin: string) => zone(origin).records.filter((r) => r.type === 'NSEC').map((r) => nsecOf(answer(r)));
const owners = (origin: string) => chainOf(origin).map((n) => `${n.owner}->${n.next}`);

describe('NSEC proofs (pure)', () => {
  const bank = chainOf('bank.edu');
  const at = (owner: string) => bank.find((n) => n.owner === owner)!;

  it('the signed zone has an NSEC chain in canonical order that wraps to the apex', () => {
    expect(owners('bank.edu')).toEqual(['bank.edu->mail.bank.edu', 'mail.bank.edu->www.bank.edu', 'www.bank.edu->bank.edu']);
  });

  it('covers names strictly between owner and next, and after the last owner up to the end of the zone', () => {
    expect(covers(at('mail.bank.edu'), 'nosuch.bank.edu')).toBe(true);
    expect(covers(at('www.bank.edu'), 'zzz.bank.edu')).toBe(true);
    expect(covers(at('www.bank.edu'), 'a.www.bank.edu')).toBe(true);
    expect(covers(at('mail.bank.edu'), 'mail.bank.edu')).toBe(false);
    expect(covers(at('mail.bank.edu'), 'zzz.bank.edu')).toBe(false);
    expect(covers(at('www.bank.edu'), 'other.edu')).toBe(false);
  });

  it('NXDOMAIN needs the NSEC covering the name and the one proving no wildcard at the closest encloser', () => {
    expect(nxdomainProof('nosuch.bank.edu', [at('mail.bank.edu'), at('bank.edu')])).toBeUndefined();
    expect(nxdomainProof('nosuch.bank.edu', [at('mail.bank.edu')])).toMatch(/no wildcard \*\.bank\.edu/);
    expect(nxdomainProof('nosuch.bank.edu', [at('www.bank.edu'), at('bank.edu')])).toMatch(/no NSEC covers nosuch\.bank\.edu/);
    expect(nxdomainProof('nosuch.bank.edu', [])).toMatch(/no NSEC covers/);
  });

  it('NODATA needs the NSEC at the name without the type (nor CNAME); a DS denial needs the parent side of the cut', () => {
    expect(nodataProof('www.bank.edu', 'AAAA', [at('www.bank.edu')])).toBeUndefined();
    expect(nodataProof('www.bank.edu', 'A', [at('www.bank.edu')])).toMatch(/lists A/);
    expect(nodataProof('www.bank.edu', 'AAAA', [at('mail.bank.edu')])).toMatch(/no NSEC at www\.bank\.edu/);
    const cut: Nsec = { owner: 'evil.edu', next: 'edu', types: new Set(['NS', 'RRSIG', 'NSEC']) };
    expect(nodataProof('evil.edu', 'DS', [cut])).toBeUndefined();
    expect(nodataProof('bank.edu', 'DS', [at('bank.edu')])).toMatch(/child zone's \(SOA\)/);
    expect(nxdomainProof('x.evil.edu', [cut, { owner: 'edu', next: 'bank.edu', types: new Set(['SOA']) }])).toMatch(/no NSEC covers/);
  });
});

describe('the validator on denials', () => {
  it('a signed NXDOMAIN with both NSECs is secure', async () => {
    expect(await validator().validateDenial(denial('bank.edu', 'nxdomain', 'nosuch.bank.edu', 'A', ['mail.bank.edu', 'bank.edu']))).toEqual({ status: 'secure' });
    expect(await validator().validateDenial(denial('bank.edu', 'nodata', 'www.bank.edu', 'AAAA', ['www.bank.edu']))).toEqual({ status: 'secure' });
  });

  it('is bogus when the proof is missing, does not cover the name, or was tampered with', async () => {
    const missing = { ...denial('bank.edu', 'nxdomain', 'nosuch.bank.edu', 'A', []) };
    expect(await validator().validateDenial(missing)).toMatchObject({ status: 'bogus', reason: expect.stringMatching(/no NSEC proves nxdomain/) });
    const noSoa = { ...missing, soa: undefined, sigs: [] };
    expect(await validator().validateDenial(noSoa)).toMatchObject({ status: 'bogus', reason: expect.stringMatching(/signed zone bank\.edu/) });
    expect(await validator().validateDenial(denial('bank.edu', 'nxdomain', 'nosuch.bank.edu', 'A', ['www.bank.edu', 'bank.edu']))).toMatchObject({ status: 'bogus', reason: expect.stringMatching(/no NSEC covers/) });
    expect(await validator().validateDenial(denial('bank.edu', 'nodata', 'www.bank.edu', 'A', ['www.bank.edu']))).toMatchObject({ status: 'bogus', reason: expect.stringMatching(/lists A/) });
    // A forger widens an NSEC to cover www (so www "does not exist"): the signature no longer matches.
    const widened = denial('bank.edu', 'nxdomain', 'www.bank.edu', 'A', ['mail.bank.edu', 'bank.edu']);
    widened.nsec[0] = { ...widened.nsec[0]!, data: { nextDomain: 'zzz.bank.edu', rrtypes: ['A', 'RRSIG', 'NSEC'] } } as Answer;
    expect(await validator().validateDenial(widened)).toMatchObject({ status: 'bogus', reason: expect.stringMatching(/NSEC of the denial: .*does not verify/) });
    // A genuine NSEC of another zone (the root's, for edu) proves nothing about a name in bank.edu.
    const rootNsec = denial('.', 'nxdomain', 'nosuch.bank.edu', 'A', ['edu', '.']);
    expect((await validator().validateDenial({ ...rootNsec, soa: undefined })).status).toBe('bogus');
  });

  it('an unsigned delegation proven by the parent NSEC (no DS bit) is insecure; a stripped DS is bogus', async () => {
    const v = validator();
    const evilA = [{ name: 'www.evil.edu', type: 'A', class: 'IN', ttl: 60, data: '10.6.6.6' } as Answer];
    expect(await v.validate(evilA, [])).toMatchObject({ status: 'insecure', reason: expect.stringMatching(/evil\.edu has no DS \(proven/) });
    const www = lookup('www.bank.edu', 'A') as { records: Answer[]; sigs: Answer[] };
    const honest = dsAnswer;
    try {
      // A downgrade: the DS of bank.edu removed from the answer, no proof in its place.
      dsAnswer = (name) => (name === 'bank.edu' ? { negative: true, kind: 'nodata', name, type: 'DS', soa: (honest('evil.edu') as Denial).soa, nsec: [], sigs: (honest('evil.edu') as Denial).sigs.filter((s) => s.name === 'edu') } : honest(name));
      expect(await validator().validate(www.records, www.sigs)).toMatchObject({ status: 'bogus', reason: expect.stringMatching(/no DS for bank\.edu and no valid proof/) });
      // A forged "no DS": an NSEC at bank.edu without the DS bit, not signed by edu's key.
      dsAnswer = (name) => {
        if (name !== 'bank.edu') return honest(name);
        const real = denial('edu', 'nodata', 'evil.edu', 'DS', ['evil.edu']);
        const forged = { name: 'bank.edu', type: 'NSEC', class: 'IN', ttl: 300, data: { nextDomain: 'evil.edu', rrtypes: ['NS', 'RRSIG', 'NSEC'] } } as Answer;
        return { negative: true, ...real, name, nsec: [forged], sigs: [...real.sigs, ...real.sigs.filter((s) => s.name === 'evil.edu').map((s) => ({ ...s, name: 'bank.edu' }) as Answer)] };
      };
      expect(await validator().validate(www.records, www.sigs)).toMatchObject({ status: 'bogus', reason: expect.stringMatching(/no DS for bank\.edu/) });
      // Replaying edu's genuine NSEC of evil.edu does not prove bank.edu has no DS.
      dsAnswer = (name) => (name === 'bank.edu' ? { negative: true, ...denial('edu', 'nodata', 'bank.edu', 'DS', ['evil.edu']) } : honest(name));
      expect(await validator().validate(www.records, www.sigs)).toMatchObject({ status: 'bogus', reason: expect.stringMatching(/no NSEC at bank\.edu/) });
    } finally {
      dsAnswer = honest;
    }
    expect(await validator().validate(www.records, www.sigs)).toEqual({ status: 'secure' });
  });
});

describe('the resolver front end on a validated NXDOMAIN', () => {
  const d = denial('bank.edu', 'nxdomain', 'nosuch.bank.edu', 'A', ['mail.bank.edu', 'bank.edu']);
  const resolution: Resolution = { rcode: 3, kind: 'nxdomain', answers: [], authorities: [d.soa!], trace: { cache: 'miss', queries: 1, servers: [], ms: 1 }, secure: true, sigs: d.sigs, proof: d.nsec };
  const fe = new ResolverFrontEnd({ resolve: async () => resolution } as unknown as Resolver);
  const ask = async (dnssecOk: boolean) => dnsPacket.decode((await fe.respond(buildQuery({ name: 'nosuch.bank.edu', type: 'A' }, { id: 1, rd: true, tcp: false, timeoutMs: 1, dnssecOk }), { client: 'c', tcp: false })).bytes!);

  it('gives DO=1 clients the NSEC proof with its RRSIGs (so they can validate the denial), with AD set', async () => {
    const r = await ask(true);
    expect(r.flag_ad).toBe(true);
    expect(r.authorities?.map((a) => `${a.name} ${a.type}${a.type === 'RRSIG' ? ` ${(a.data as { typeCovered: string }).typeCovered}` : ''}`).sort()).toEqual(
      ['bank.edu NSEC', 'bank.edu RRSIG NSEC', 'bank.edu RRSIG SOA', 'bank.edu SOA', 'mail.bank.edu NSEC', 'mail.bank.edu RRSIG NSEC']);
  });

  it('gives DO=0 clients the SOA only (RFC 4035 §3.2.1)', async () => {
    expect((await ask(false)).authorities?.map((a) => `${a.name} ${a.type}`)).toEqual(['bank.edu SOA']);
  });
});
