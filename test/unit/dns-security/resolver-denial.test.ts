import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { signLab } from '../../../orchestrator/dnssec/sign-lab.js';
import type { AgentZone } from '../../../orchestrator/dns/plan.js';
import type { ZoneDef } from '../../../orchestrator/topology/types.js';
import { AuthResponder } from '../../../images/agent/src/dns/authority.js';
import { parseResolverConfig, parseServerConfig } from '../../../images/agent/src/dns/config.js';
import { DnssecRecords } from '../../../images/agent/src/dns/dnssec/sections.js';
import { rcodeName } from '../../../images/agent/src/dns/message.js';
import { Resolver } from '../../../images/agent/src/dns/resolver.js';
import { ZoneSet } from '../../../images/agent/src/dns/zone.js';
import { FakeNet, type Respond } from '../dns/hierarchy.js';

// The validating resolver end to end over signed zones served by the real authoritative code:
// root -> edu -> bank.edu signed, shop.edu unsigned; a tampering server strips or keeps proofs.
const soa = (z: string) => ({ name: z, type: 'SOA', ttl: 3600, data: { mname: `ns.${z === '.' ? 'root' : z}`, rname: 'h.lab', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 300 } });
const ADDR = { root: '10.0.0.2', edu: '10.0.1.2', bank: '10.0.2.2' };
const plain: Record<string, AgentZone> = {
  '.': { origin: '.', records: [soa('.'), { name: '.', type: 'NS', ttl: 3600, data: 'ns.root' }, { name: 'ns.root', type: 'A', ttl: 3600, data: ADDR.root }, { name: 'edu', type: 'NS', ttl: 3600, data: 'ns.edu' }, { name: 'ns.edu', type: 'A', ttl: 3600, data: ADDR.edu }] },
  edu: { origin: 'edu', records: [soa('edu'), { name: 'edu', type: 'NS', ttl: 3600, data: 'ns.edu' }, { name: 'ns.edu', type: 'A', ttl: 3600, data: ADDR.edu },
    { name: 'bank.edu', type: 'NS', ttl: 3600, data: 'ns.bank.edu' }, { name: 'ns.bank.edu', type: 'A', ttl: 3600, data: ADDR.bank }, { name: 'shop.edu', type: 'NS', ttl: 3600, data: 'ns.bank.edu' }] },
  'bank.edu': { origin: 'bank.edu', records: [soa('bank.edu'), { name: 'bank.edu', type: 'NS', ttl: 3600, data: 'ns.bank.edu' }, { name: 'ns.bank.edu', type: 'A', ttl: 3600, data: ADDR.bank }, { name: 'www.bank.edu', type: 'A', ttl: 3600, data: '10.0.2.80' }] },
  'shop.edu': { origin: 'shop.edu', records: [soa('shop.edu'), { name: 'shop.edu', type: 'NS', ttl: 3600, data: 'ns.bank.edu' }, { name: 'www.shop.edu', type: 'A', ttl: 3600, data: '10.0.2.81' }] },
};
const parent = (z: string) => (z === '.' ? undefined : z.includes('.') ? z.slice(z.indexOf('.') + 1) : '.');
const lab = signLab('unit', new Map(Object.entries(plain)), (z) => ({ dnssec: z === 'shop.edu' ? undefined : { broken: [] } }) as ZoneDef, parent);
const responder = (origins: string[]) => {
  const zones = parseServerConfig({ zones: origins.map((o) => lab.zones.get(o)) }).zones;
  return new AuthResponder(new ZoneSet(zones, { rotate: false }), undefined, { dnssec: new DnssecRecords(zones) });
};
const serve = (r: AuthResponder, tamper: (p: dnsPacket.DecodedPacket) => dnsPacket.DecodedPacket = (p) => p): Respond => async (query, tcp) => {
  const bytes = (await r.respond(query, { client: '10.9.9.9', tcp })).bytes;
  return bytes && dnsPacket.encode(tamper(dnsPacket.decode(bytes)) as dnsPacket.Packet);
};
function resolverOn(tamper?: { address: string; edit: (p: dnsPacket.DecodedPacket) => dnsPacket.DecodedPacket }) {
  const net = new FakeNet();
  for (const [address, origins] of [[ADDR.root, ['.']], [ADDR.edu, ['edu']], [ADDR.bank, ['bank.edu', 'shop.edu']]] as const) net.add(address, serve(responder([...origins]), tamper?.address === address ? tamper.edit : undefined));
  const config = parseResolverConfig({ mode: 'iterative', rootHints: [{ name: 'ns.root', address: ADDR.root }], validate: true, trustAnchor: lab.trustAnchor });
  return new Resolver(config, { ...net.deps(), dnssecOk: true, epochSeconds: () => 1790000000 });
}
const stripNsec = (p: dnsPacket.DecodedPacket) => ({ ...p, authorities: (p.authorities ?? []).filter((a) => a.type !== 'NSEC' && !(a.type === 'RRSIG' && a.data.typeCovered === 'NSEC')) });

describe('the validating resolver on denials (RFC 4035 §5.4) and unsigned delegations (§5.2)', () => {
  it('a proven NXDOMAIN and NODATA are secure and come with their NSEC proof', async () => {
    const r = resolverOn();
    const nx = await r.resolve('zzz.bank.edu', 'A');
    expect([rcodeName(nx.rcode), nx.secure, nx.reason]).toEqual(['NXDOMAIN', true, undefined]);
    expect(nx.proof.map((a) => a.name).sort()).toEqual(['bank.edu', 'www.bank.edu']);
    expect(nx.sigs.filter((s) => s.type === 'RRSIG' && (s.data as { typeCovered: string }).typeCovered === 'NSEC')).toHaveLength(2);
    const cached = await r.resolve('zzz.bank.edu', 'A');
    expect([cached.trace.cache, cached.secure, cached.proof.length]).toEqual(['negative-hit', true, 2]);
    const nodata = await r.resolve('www.bank.edu', 'TXT');
    expect([rcodeName(nodata.rcode), nodata.secure, nodata.proof.map((a) => a.name)]).toEqual(['NOERROR', true, ['www.bank.edu']]);
  });

  it('a denial whose NSEC proof was stripped is bogus (SERVFAIL), and is not cached', async () => {
    const r = resolverOn({ address: ADDR.bank, edit: stripNsec });
    const nx = await r.resolve('zzz.bank.edu', 'A');
    expect(rcodeName(nx.rcode)).toBe('SERVFAIL');
    expect(nx.reason).toMatch(/no NSEC proves nxdomain/);
    expect((await r.resolve('zzz.bank.edu', 'A')).trace.cache).toBe('miss');
  });

  it('an unsigned child is insecure when the parent proves it has no DS, and bogus when that proof is stripped', async () => {
    const insecure = await resolverOn().resolve('www.shop.edu', 'A');
    expect([rcodeName(insecure.rcode), insecure.secure]).toEqual(['NOERROR', false]);
    const stripped = await resolverOn({ address: ADDR.edu, edit: stripNsec }).resolve('www.shop.edu', 'A');
    expect(rcodeName(stripped.rcode)).toBe('SERVFAIL');
    expect(stripped.reason).toMatch(/no DS for shop\.edu and no valid proof/);
  });
});
