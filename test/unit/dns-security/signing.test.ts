import { createHash, createPublicKey, verify } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { dsOf, zoneKeys } from '../../../orchestrator/dnssec/keys.js';
import { signZone, wireData } from '../../../orchestrator/dnssec/sign.js';
import type { AgentRecord, AgentZone } from '../../../orchestrator/dns/plan.js';
import { compareCanonical, dsMatches, keyTag, type DnskeyData, type NsecData, type RrsigData } from '../../../images/agent/src/dns/dnssec/wire.js';

const soa = { mname: 'ns.bank.edu', rname: 'hostmaster.bank.edu', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 300 };
const zone: AgentZone = {
  origin: 'bank.edu',
  records: [
    { name: 'bank.edu', type: 'SOA', ttl: 3600, data: soa },
    { name: 'bank.edu', type: 'NS', ttl: 3600, data: 'ns.bank.edu' },
    { name: 'ns.bank.edu', type: 'A', ttl: 3600, data: '10.0.0.53' },
    { name: 'www.bank.edu', type: 'A', ttl: 3600, data: '10.0.0.80' },
    { name: 'www.bank.edu', type: 'A', ttl: 3600, data: '10.0.0.81' },
    { name: 'shop.bank.edu', type: 'NS', ttl: 3600, data: 'ns.shop.bank.edu' },
    { name: 'ns.shop.bank.edu', type: 'A', ttl: 3600, data: '10.0.0.99' },
  ],
};
const keys = zoneKeys('unit', 'bank.edu');
const signed = signZone(zone, { keys, childDs: new Map([['shop.bank.edu', dsOf(zoneKeys('unit', 'shop.bank.edu'))]]), broken: [], inception: 1735689600, expiration: 3629145600 });
const of = (name: string, type: string) => signed.records.filter((r) => r.name === name && r.type === type);
const sigOf = (name: string, type: string) => of(name, 'RRSIG').map((r) => wireData(r) as RrsigData).find((s) => s.typeCovered === type);

/** RFC 4034 §6 by hand: owner | type | class | TTL | RDLENGTH | RDATA, names lower case, RRs sorted by RDATA. */
function canonicalA(owner: string, ttl: number, addresses: string[]): Buffer {
  const name = Buffer.concat([...owner.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const rdatas = addresses.map((a) => Buffer.from(a.split('.').map(Number))).sort(Buffer.compare);
  return Buffer.concat(rdatas.map((rd) => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(1, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(ttl, 4);
    fixed.writeUInt16BE(4, 8);
    return Buffer.concat([name, fixed, rd]);
  }));
}

describe('zone signing (RFC 4034/4035, algorithm 13)', () => {
  it('publishes a KSK (257) and a ZSK (256), derived from lab and zone so the anchor is stable', () => {
    expect(of('bank.edu', 'DNSKEY').map((r) => (r.data as { flags: number }).flags).sort()).toEqual([256, 257]);
    expect(zoneKeys('unit', 'bank.edu').ksk.dnskey.key.equals(keys.ksk.dnskey.key)).toBe(true);
    expect(zoneKeys('other', 'bank.edu').ksk.dnskey.key.equals(keys.ksk.dnskey.key)).toBe(false);
  });

  it('signs an RRset so that node:crypto verifies the signature over the canonical wire form built by hand', () => {
    const sig = sigOf('www.bank.edu', 'A')!;
    expect(sig).toMatchObject({ algorithm: 13, labels: 3, originalTTL: 3600, signersName: 'bank.edu', keyTag: keys.zsk.tag });
    const rrsigRdata = (dnsPacket as unknown as { rrsig: { encode(d: unknown): Buffer } }).rrsig.encode({ ...sig, signature: Buffer.alloc(0) }).subarray(2);
    const data = Buffer.concat([rrsigRdata, canonicalA('www.bank.edu', 3600, ['10.0.0.81', '10.0.0.80'])]);
    const publicKey = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: keys.zsk.dnskey.key.subarray(0, 32).toString('base64url'), y: keys.zsk.dnskey.key.subarray(32).toString('base64url') }, format: 'jwk' });
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig.signature)).toBe(true);
    const tampered = Buffer.from(data);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    expect(verify('sha256', tampered, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig.signature)).toBe(false);
  });

  it('signs the DNSKEY set with the KSK, leaves the NS at a cut and glue unsigned, and signs the DS there', () => {
    expect(sigOf('bank.edu', 'DNSKEY')!.keyTag).toBe(keys.ksk.tag);
    expect(sigOf('shop.bank.edu', 'NS')).toBeUndefined();
    expect(sigOf('ns.shop.bank.edu', 'A')).toBeUndefined();
    expect(sigOf('shop.bank.edu', 'DS')!.keyTag).toBe(keys.zsk.tag);
  });

  it('computes the DS as SHA-256 over owner wire name | DNSKEY RDATA, with the RFC 4034 App. B key tag', () => {
    const child = zoneKeys('unit', 'shop.bank.edu');
    const ds = dsOf(child);
    const k = child.ksk.dnskey;
    const rdata = Buffer.concat([Buffer.from([k.flags >> 8, k.flags & 0xff, 3, 13]), k.key]);
    const owner = Buffer.from([4, ...Buffer.from('shop'), 4, ...Buffer.from('bank'), 3, ...Buffer.from('edu'), 0]);
    expect(ds.digest.equals(createHash('sha256').update(Buffer.concat([owner, rdata])).digest())).toBe(true);
    let ac = 0;
    rdata.forEach((b, i) => { ac += i & 1 ? b : b << 8; });
    expect(keyTag(k)).toBe((ac + ((ac >> 16) & 0xffff)) & 0xffff);
    expect(dsMatches('shop.bank.edu', k, ds)).toBe(true);
    expect(dsMatches('shop.bank.edu', zoneKeys('unit', 'x').ksk.dnskey as DnskeyData, ds)).toBe(false);
  });

  it('chains NSEC over the authoritative names in canonical order, wrapping to the apex, cuts included and glue not', () => {
    const chain = signed.records.filter((r: AgentRecord) => r.type === 'NSEC');
    const owners = chain.map((r) => r.name);
    expect(owners).toEqual(['bank.edu', 'ns.bank.edu', 'shop.bank.edu', 'www.bank.edu']);
    expect(chain.map((r) => (r.data as NsecData).nextDomain)).toEqual(['ns.bank.edu', 'shop.bank.edu', 'www.bank.edu', 'bank.edu']);
    expect((of('shop.bank.edu', 'NSEC')[0]!.data as NsecData).rrtypes.sort()).toEqual(['DS', 'NS', 'NSEC', 'RRSIG']);
    expect(chain.every((r) => r.ttl === 300)).toBe(true);
    expect(['a.example', 'Z.a.example', 'zABC.a.EXAMPLE', 'z.example', '*.z.example'].sort(compareCanonical)).toEqual(['a.example', 'Z.a.example', 'zABC.a.EXAMPLE', 'z.example', '*.z.example']);
  });

  it('corrupts the signatures of `broken` owners only', () => {
    const broken = signZone(zone, { keys, childDs: new Map(), broken: ['www.bank.edu'], inception: 1735689600, expiration: 3629145600 });
    const sig = (z: AgentZone, name: string) => wireData(z.records.find((r) => r.name === name && r.type === 'RRSIG' && (r.data as RrsigData).typeCovered === 'A')!) as RrsigData;
    const answers = (z: AgentZone, name: string) => z.records.filter((r) => r.name === name && r.type === 'A').map((r) => ({ name, type: 'A', class: 'IN', ttl: r.ttl, data: r.data }) as Answer);
    expect(answers(broken, 'www.bank.edu')).toHaveLength(2);
    expect(sig(broken, 'www.bank.edu').signature.equals(sig(signed, 'www.bank.edu').signature)).toBe(false);
  });
});
