// Zone keys for the lab's DNSSEC (RFC 6781 §3.1: a KSK that signs the DNSKEY RRset and that the
// parent's DS names, a ZSK that signs the rest), ECDSA P-256 (algorithm 13). They derive from
// the lab's name and the zone, so one topology always gets the same keys and the same root
// trust anchor (the keys protect a lab, not a secret): planning stays free of side effects.
import { createECDH, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { ALGORITHM_ECDSAP256SHA256, dsFor, FLAGS_KSK, FLAGS_ZSK, keyTag, type DnskeyData, type DsData } from '../../images/agent/src/dns/dnssec/wire.js';

export interface ZoneKey { privateKey: KeyObject; dnskey: DnskeyData; tag: number }
export interface ZoneKeys { zone: string; ksk: ZoneKey; zsk: ZoneKey }

function deriveKey(material: string, flags: number): ZoneKey {
  for (let counter = 0; ; counter++) {
    const d = createHash('sha256').update(`${material}|${counter}`).digest();
    const ecdh = createECDH('prime256v1');
    try {
      ecdh.setPrivateKey(d); // throws for the (2^-32 likely) scalar outside [1, n-1]: try the next
    } catch {
      continue;
    }
    const point = ecdh.getPublicKey(); // 0x04 | x | y
    const x = point.subarray(1, 33);
    const y = point.subarray(33);
    const privateKey = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y: y.toString('base64url'), d: d.toString('base64url') }, format: 'jwk' });
    const dnskey = { flags, algorithm: ALGORITHM_ECDSAP256SHA256, key: Buffer.concat([x, y]) };
    return { privateKey, dnskey, tag: keyTag(dnskey) };
  }
}

/** The KSK and ZSK of `zone` in the lab `lab`. */
export function zoneKeys(lab: string, zone: string): ZoneKeys {
  return {
    zone,
    ksk: deriveKey(`emunet-dnssec|${lab}|${zone}|ksk`, FLAGS_KSK),
    zsk: deriveKey(`emunet-dnssec|${lab}|${zone}|zsk`, FLAGS_ZSK),
  };
}

/** The DS record data the parent publishes for the child's KSK. */
export const dsOf = (keys: ZoneKeys): DsData => dsFor(keys.zone, keys.ksk.dnskey);

/** A DNSKEY as JSON (the agent config carries base64). */
export const dnskeyJson = (k: DnskeyData) => ({ flags: k.flags, algorithm: k.algorithm, key: k.key.toString('base64') });

/** BIND's trust-anchors clause for the root KSK, as delv -a FILE reads it. */
export function bindTrustAnchors(rootKsk: DnskeyData): string {
  return `trust-anchors {\n  . static-key ${rootKsk.flags} 3 ${rootKsk.algorithm} "${rootKsk.key.toString('base64')}";\n};\n`;
}
