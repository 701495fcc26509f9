import { describe, expect, it } from 'vitest';
import { parseResolverConfig, parseServerConfig, RESOLVER_DEFAULTS } from '../../../images/agent/src/dns/config.js';
import { rr, zones } from './hierarchy.js';

const zone = (records: unknown[]) => ({ zones: [{ origin: 'x.y', records: [rr('x.y', 'SOA', 60, { mname: 'ns.x.y', rname: 'h.x.y', minimum: 30 }), ...records] }] });

describe('DNS server config', () => {
  it('fills defaults and puts names in canonical form', () => {
    const c = parseServerConfig({ zones: [{ origin: 'X.Y.', records: [rr('X.y.', 'SOA', 60, { mname: 'NS.x.y.', rname: 'h.x.y' }), rr('WWW.x.y', 'A', 60, '10.0.0.1')] }] });
    expect(c).toMatchObject({ recursion: false, port: 53, rotate: true, upstreamPort: 53 });
    expect(c.zones[0]?.origin).toBe('x.y');
    expect(c.zones[0]?.records.map((r) => r.name)).toEqual(['x.y', 'www.x.y']);
    expect(c.zones[0]?.records[0]?.data).toMatchObject({ mname: 'ns.x.y', serial: 1, minimum: 300 });
  });

  it('accepts the whole lecture hierarchy', () => {
    expect(parseServerConfig({ zones: Object.values(zones()) }).zones).toHaveLength(9);
  });

  it('says where and what is wrong', () => {
    expect(() => parseServerConfig(zone([rr('www.x.y', 'A', 60, '10.0.0')]))).toThrow('node.config.zones[0].records[1].data: expected an IPv4 address for an A record, found "10.0.0"');
    expect(() => parseServerConfig(zone([rr('www.other', 'A', 60, '10.0.0.1')]))).toThrow('"www.other" is not in zone "x.y"');
    expect(() => parseServerConfig({ zones: [{ origin: 'x.y', records: [] }] })).toThrow(/needs exactly one SOA/);
    expect(() => parseServerConfig(zone([rr('a.x.y', 'CNAME', 60, 'b.x.y'), rr('a.x.y', 'A', 60, '10.0.0.1')]))).toThrow(/a CNAME must be alone/);
    expect(() => parseServerConfig(zone([rr('a.x.y', 'BOGUS', 60, 'x')]))).toThrow(/unknown record type "BOGUS"/);
    expect(() => parseServerConfig({ ...zone([]), recurse: true })).toThrow(/unknown key\(s\) "recurse"; known keys are/);
    expect(() => parseServerConfig(zone([rr('a.x.y', 'TXT', 60, 'x'.repeat(256))]))).toThrow(/at most 255 bytes/);
    expect(() => parseServerConfig(zone([rr('a.*.x.y', 'A', 60, '10.0.0.1')]))).toThrow(/only allowed as the first label/);
  });
});

describe('DNS resolver config', () => {
  const hints = [{ name: 'a.root-servers.net', address: '10.0.0.2' }];

  it('fills defaults', () => {
    expect(parseResolverConfig({ mode: 'iterative', rootHints: hints })).toEqual({ mode: 'iterative', rootHints: hints, ...RESOLVER_DEFAULTS });
    expect(RESOLVER_DEFAULTS).toMatchObject({ negativeCache: true, timeoutMs: 1000, retries: 1, backoff: 2, maxCnameChain: 8, cacheSize: 10000, port: 53 });
  });

  it('needs root hints for iterative mode and forwarders for recursive mode', () => {
    expect(() => parseResolverConfig({ mode: 'iterative', rootHints: [] })).toThrow('node.config.rootHints: iterative resolution needs at least one root hint');
    expect(() => parseResolverConfig({ mode: 'recursive', rootHints: [] })).toThrow(/recursive mode needs at least one forwarder/);
    expect(parseResolverConfig({ mode: 'recursive', forwarders: ['10.0.0.53'] }).forwarders).toEqual(['10.0.0.53']);
    expect(() => parseResolverConfig({ mode: 'stub', rootHints: hints })).toThrow(/expected "iterative" or "recursive"/);
    expect(() => parseResolverConfig({ mode: 'iterative', rootHints: [{ name: 'a', address: 'nope' }] })).toThrow('node.config.rootHints[0].address: expected an IPv4 address');
    expect(() => parseResolverConfig({ mode: 'iterative', rootHints: hints, retries: -1 })).toThrow(/retries: expected an integer from 0/);
  });
});
