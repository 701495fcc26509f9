// DNSSEC's wire arithmetic (RFC 4034), shared by the orchestrator that signs zones and the
// resolver that validates them: canonical RR form and order (§6), the data an RRSIG covers
// (§3.1.8.1), key tags (App. B), DS digests (§5.1.4, SHA-256 = RFC 4509) and ECDSA P-256
// keys and signatures (algorithm 13, RFC 6605: r||s, 32 bytes each). Pure over node:crypto.
import { createHash, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';

export const ALGORITHM_ECDSAP256SHA256 = 13;
export const DIGEST_SHA256 = 2;
/** DNSKEY flags: ZONE (256) for a ZSK; ZONE | SEP (257) for a KSK. */
export const FLAGS_ZSK = 256;
export const FLAGS_KSK = 257;

export interface DnskeyData { flags: number; algorithm: number; key: Buffer }
export interface RrsigData {
  typeCovered: string; algorithm: number; labels: number; originalTTL: number;
  expiration: number; inception: number; keyTag: number; signersName: string; signature: Buffer;
}
export interface DsData { keyTag: number; algorithm: number; digestType: number; digest: Buffer }
export interface NsecData { nextDomain: string; rrtypes: string[] }

/** The per-type codecs dns-packet exports but its typings leave out. */
const codecs = dnsPacket as unknown as { record(type: string): { encode(d: unknown): Buffer }; name: { encode(n: string): Buffer } };
const encodeName = (n: string): Buffer => codecs.name.encode(n);

const lower = (name: string) => (name === '.' || name === '' ? '.' : name.toLowerCase().replace(/\.$/, ''));

/** Labels of a name for RRSIG's `labels` field: the root and a leading '*' do not count. */
export function labelCount(name: string): number {
  const n = lower(name);
  if (n === '.') return 0;
  const labels = n.split('.');
  return labels[0] === '*' ? labels.length - 1 : labels.length;
}

/** RFC 4034 §6.1: compare label by label from the right, each as lower-case bytes; a name sorts before its descendants. */
export function compareCanonical(a: string, b: string): number {
  const la = lower(a) === '.' ? [] : lower(a).split('.').reverse();
  const lb = lower(b) === '.' ? [] : lower(b).split('.').reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    const c = Buffer.compare(Buffer.from(la[i]!), Buffer.from(lb[i]!));
    if (c !== 0) return c;
  }
  return la.length - lb.length;
}

/** RFC 4034 §6.2 (as amended by RFC 6840 §5.1: NSEC's next name keeps its case): names in RDATA lower-cased. */
function canonicalData(type: string, data: unknown): unknown {
  const d = data as Record<string, unknown>;
  switch (type) {
    case 'NS': case 'CNAME': case 'PTR': case 'DNAME': return lower(data as string);
    case 'MX': return { ...d, exchange: lower(d.exchange as string) };
    case 'SRV': return { ...d, target: lower(d.target as string) };
    case 'SOA': return { ...d, mname: lower(d.mname as string), rname: lower(d.rname as string) };
    case 'RRSIG': return { ...d, signersName: lower(d.signersName as string) };
    default: return data;
  }
}

/** The RDATA of a record (no length prefix), in canonical form. */
export function rdata(type: string, data: unknown): Buffer {
  return codecs.record(type).encode(canonicalData(type, data)).subarray(2);
}

/** One RR in canonical form: owner | type | class | TTL | RDLENGTH | RDATA. */
function rrWire(owner: string, type: string, ttl: number, body: Buffer): Buffer {
  const name = encodeName(lower(owner));
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(typeNumber(type), 0);
  fixed.writeUInt16BE(1, 2); // class IN
  fixed.writeUInt32BE(ttl >>> 0, 4);
  fixed.writeUInt16BE(body.length, 8);
  return Buffer.concat([name, fixed, body]);
}

export function typeNumber(type: string): number {
  const bytes = dnsPacket.encode({ type: 'query', questions: [{ name: '.', type: type as 'A' }] });
  return bytes.readUInt16BE(12 + 1);
}

/**
 * What an RRSIG signs (RFC 4034 §3.1.8.1): its own RDATA without the signature, then every RR
 * of the set in canonical form, owner as `owner` (the wildcard for synthesized answers), TTL the
 * original TTL, sorted by RDATA and without duplicates.
 */
export function signedData(sig: Omit<RrsigData, 'signature'>, owner: string, records: { type: string; data: unknown }[]): Buffer {
  const head = rdata('RRSIG', { ...sig, signature: Buffer.alloc(0) });
  const bodies = records.map((r) => rdata(r.type, r.data)).sort(Buffer.compare).filter((b, i, all) => i === 0 || !b.equals(all[i - 1]!));
  const type = records[0]?.type ?? sig.typeCovered;
  return Buffer.concat([head, ...bodies.map((b) => rrWire(owner, type, sig.originalTTL, b))]);
}

/** RFC 4034 Appendix B. */
export function keyTag(key: DnskeyData): number {
  const wire = rdata('DNSKEY', key);
  let ac = 0;
  for (let i = 0; i < wire.length; i++) ac += i & 1 ? wire[i]! : wire[i]! << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

/** The DS a parent publishes for the child's key `key` at `owner` (SHA-256). */
export function dsFor(owner: string, key: DnskeyData): DsData {
  const digest = createHash('sha256').update(Buffer.concat([encodeName(lower(owner)), rdata('DNSKEY', key)])).digest();
  return { keyTag: keyTag(key), algorithm: key.algorithm, digestType: DIGEST_SHA256, digest };
}

/** Whether `ds` is the digest of `key` at `owner`. */
export function dsMatches(owner: string, key: DnskeyData, ds: DsData): boolean {
  if (ds.digestType !== DIGEST_SHA256 || ds.algorithm !== key.algorithm || ds.keyTag !== keyTag(key)) return false;
  return dsFor(owner, key).digest.equals(ds.digest);
}

/** An algorithm-13 DNSKEY's key field is the P-256 point x||y (RFC 6605 §4). */
export function publicKeyOf(key: DnskeyData): KeyObject {
  if (key.algorithm !== ALGORITHM_ECDSAP256SHA256 || key.key.length !== 64) throw new Error(`unsupported DNSKEY (algorithm ${key.algorithm}, ${key.key.length}-byte key); only ECDSA P-256 (13)`);
  const b64url = (b: Buffer) => b.toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(key.key.subarray(0, 32)), y: b64url(key.key.subarray(32)) }, format: 'jwk' });
}

/** The DNSKEY field for a P-256 key. */
export function dnskeyField(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

export function signData(privateKey: KeyObject, data: Buffer): Buffer {
  return cryptoSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

export function verifyData(key: DnskeyData, data: Buffer, signature: Buffer): boolean {
  try {
    return cryptoVerify('sha256', data, { key: publicKeyOf(key), dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** The owner an RRSIG was made for: `name` itself, or the wildcard it was synthesized from (RFC 4035 §5.3.2). */
export function signedOwner(name: string, sig: Pick<RrsigData, 'labels'>): string {
  const n = lower(name);
  const labels = n === '.' ? [] : n.split('.');
  if (labels[0] === '*' || sig.labels >= labels.length) return n;
  const kept = labels.slice(labels.length - sig.labels);
  return kept.length === 0 ? '*' : `*.${kept.join('.')}`;
}

/** RFC 1982 serial arithmetic: is time `a` (32-bit seconds) at or before `b`? */
export function serialLte(a: number, b: number): boolean {
  return a === b || ((b - a) >>> 0) < 0x80000000;
}

export const answerData = <T>(a: Answer): T => (a as unknown as { data: T }).data;
