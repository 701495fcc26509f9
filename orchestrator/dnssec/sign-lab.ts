// Which zones of the lab are signed, and with what: each signed zone gets its keys, the DS of
// each signed child, and its signatures; the root's KSK becomes the resolvers' trust anchor.
// A signed zone under an unsigned parent is an island (no DS above it): validators see it insecure.
import type { AgentZone } from '../dns/plan.js';
import type { ZoneDef } from '../topology/types.js';
import { dnskeyJson, dsOf, zoneKeys, type ZoneKeys } from './keys.js';
import { signZone } from './sign.js';

/** 2025-01-01 .. 2085-01-01: inside RFC 1982's 68-year horizon, so validators read it as valid now. */
export const SIGNATURE_INCEPTION = 1735689600;
export const SIGNATURE_EXPIRATION = 3629145600;

export interface SignedLab {
  zones: Map<string, AgentZone>;
  /** The root KSK as JSON (flags, algorithm, base64 key) when the root zone is signed. */
  trustAnchor?: ReturnType<typeof dnskeyJson>;
}

export function signLab(lab: string, zones: Map<string, AgentZone>, defs: (zone: string) => ZoneDef, parentOf: (zone: string) => string | undefined): SignedLab {
  const signed = [...zones.keys()].filter((z) => defs(z).dnssec !== undefined);
  const keys = new Map<string, ZoneKeys>(signed.map((z) => [z, zoneKeys(lab, z)]));
  const out = new Map(zones);
  for (const z of signed) {
    const childDs = new Map([...keys].filter(([child]) => parentOf(child) === z).map(([child, k]) => [child, dsOf(k)]));
    out.set(z, signZone(zones.get(z)!, { keys: keys.get(z)!, childDs, broken: defs(z).dnssec!.broken, inception: SIGNATURE_INCEPTION, expiration: SIGNATURE_EXPIRATION }));
  }
  const root = keys.get('.');
  return { zones: out, ...(root ? { trustAnchor: dnskeyJson(root.ksk.dnskey) } : {}) };
}
