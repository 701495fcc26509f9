import { describe, expect, it } from 'vitest';
import { parseResolverConfig, type DnsResolverConfig } from '../../../images/agent/src/dns/config.js';
import { rcodeName } from '../../../images/agent/src/dns/message.js';
import { Resolver } from '../../../images/agent/src/dns/resolver.js';
import { ADDR, a, craft, dataOfAll, FakeNet, hierarchy, ns, responderFor, serve, ttlsOf as ttlOf } from './hierarchy.js';

const ROOT = `a.root-servers.net@${ADDR.aRoot}`;
const EDU = `a.edu-servers.net@${ADDR.edu}`;
const NS1 = `ns1.stanford.edu@${ADDR.ns1Stanford}`;
const NS2 = `ns2.stanford.edu@${ADDR.ns2Stanford}`;

function resolverOn(net: FakeNet, config: Partial<DnsResolverConfig> = {}) {
  const lines: string[] = [];
  const settings = parseResolverConfig({ mode: 'iterative', rootHints: [{ name: 'a.root-servers.net', address: ADDR.aRoot }], ...config });
  const resolver = new Resolver(settings, { ...net.deps(), log: (l) => lines.push(l) });
  return { resolver, lines };
}

describe('iterative resolution (RFC 1034 §5.3.3)', () => {
  it('walks root -> edu -> stanford.edu on a cold cache: 3 upstream queries, in order', async () => {
    const net = hierarchy();
    const { resolver, lines } = resolverOn(net);
    const r = await resolver.resolve('www.stanford.edu', 'A');
    expect(rcodeName(r.rcode)).toBe('NOERROR');
    expect(dataOfAll(r.answers)).toEqual(['10.0.2.10']);
    expect(net.path()).toEqual([ROOT, EDU, NS1]);
    expect(net.calls.every((c) => !c.rd)).toBe(true);
    expect(r.trace).toEqual({ cache: 'miss', queries: 3, servers: [ROOT, EDU, NS1], ms: 30 });
    expect(lines.filter((l) => l.startsWith('upstream'))).toEqual([
      `upstream server=${ROOT} qname=www.stanford.edu qtype=A outcome=referral ms=10 proto=udp`,
      `upstream server=${EDU} qname=www.stanford.edu qtype=A outcome=referral ms=10 proto=udp`,
      `upstream server=${NS1} qname=www.stanford.edu qtype=A outcome=answer ms=10 proto=udp`,
    ]);
  });

  it('answers from a warm cache with 0 upstream queries, and uses cached NS to skip root and TLD', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net);
    await resolver.resolve('www.stanford.edu', 'A');
    const again = await resolver.resolve('www.stanford.edu', 'A');
    expect(net.calls).toHaveLength(3);
    expect(again.trace).toMatchObject({ cache: 'hit', queries: 0, servers: [] });
    const sibling = await resolver.resolve('mail.stanford.edu', 'A');
    expect(net.path(3)).toEqual([NS1]);
    expect(sibling.trace.cache).toBe('miss');
    expect(resolver.stats.counters).toMatchObject({ client_queries: 3, cache_hits: 1, cache_misses: 2, upstream_queries: 4 });
  });

  it('counts TTLs down on the clock, and fetches again once they expire', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net);
    const first = await resolver.resolve('www.stanford.edu', 'A');
    expect(ttlOf(first.answers)).toEqual([300]);
    net.clock.advance(100_000);
    expect(ttlOf((await resolver.resolve('www.stanford.edu', 'A')).answers)).toEqual([200]);
    net.clock.advance(200_000);
    const expired = await resolver.resolve('www.stanford.edu', 'A');
    expect(expired.trace.cache).toBe('miss');
    expect(net.path(3)).toEqual([NS1]); // the NS set (TTL 2 days) is still cached
    expect(ttlOf(expired.answers)).toEqual([300]);
  });

  it('caches NXDOMAIN for min(SOA TTL, MINIMUM): a misspelled name costs nothing the second time', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net);
    const first = await resolver.resolve('wwww.stanford.edu', 'A');
    expect(rcodeName(first.rcode)).toBe('NXDOMAIN');
    expect(first.authorities.map((x) => x.type)).toEqual(['SOA']);
    const second = await resolver.resolve('wwww.stanford.edu', 'A');
    expect(net.calls).toHaveLength(3);
    expect(rcodeName(second.rcode)).toBe('NXDOMAIN');
    expect(second.trace).toMatchObject({ cache: 'negative-hit', queries: 0 });
    expect(resolver.stats.counters.negative_hits).toBe(1);
    net.clock.advance(61_000);
    await resolver.resolve('wwww.stanford.edu', 'A');
    expect(net.calls).toHaveLength(4);
  });

  it('caches NODATA per type', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net);
    await resolver.resolve('www.stanford.edu', 'AAAA');
    const again = await resolver.resolve('www.stanford.edu', 'AAAA');
    expect([rcodeName(again.rcode), again.answers.length, again.trace.cache]).toEqual(['NOERROR', 0, 'negative-hit']);
    expect(net.calls).toHaveLength(3);
  });

  it('asks again every time when negative caching is off', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net, { negativeCache: false });
    await resolver.resolve('wwww.stanford.edu', 'A');
    const second = await resolver.resolve('wwww.stanford.edu', 'A');
    expect(second.trace.queries).toBeGreaterThanOrEqual(1);
    expect(net.path(3)).toEqual([NS1]);
    expect(rcodeName(second.rcode)).toBe('NXDOMAIN');
  });

  it('follows a CNAME out of the zone through a new walk from the root', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net);
    const r = await resolver.resolve('ext.stanford.edu', 'A');
    expect(r.answers.map((x) => [x.name, x.type])).toEqual([['ext.stanford.edu', 'CNAME'], ['www.cdn.com', 'A']]);
    expect(net.path()).toEqual([ROOT, EDU, NS1, ROOT, `a.gtld-servers.net@${ADDR.com}`, `ns.cdn.com@${ADDR.cdn}`]);
  });

  it('takes an in-zone CNAME and its target from one response', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net);
    const r = await resolver.resolve('alias.stanford.edu', 'A');
    expect(dataOfAll(r.answers)).toEqual(['www.stanford.edu', '10.0.2.10']);
    await resolver.resolve('www.stanford.edu', 'A');
    expect(net.calls).toHaveLength(3); // the target was cached from the same response
  });

  it('bounds CNAME chains and detects loops (SERVFAIL)', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net, { maxCnameChain: 3 });
    const long = await resolver.resolve('c0.stanford.edu', 'A');
    expect(rcodeName(long.rcode)).toBe('SERVFAIL');
    expect(long.reason).toMatch(/longer than 3/);
    const ok = await resolverOn(net).resolver.resolve('c0.stanford.edu', 'A');
    expect(ok.answers.at(-1)).toMatchObject({ type: 'A', data: '10.0.2.55' });
    const loop = await resolverOn(net).resolver.resolve('loop1.stanford.edu', 'A');
    expect(rcodeName(loop.rcode)).toBe('SERVFAIL');
  });

  it('retries a dead server with exponential backoff (T, 2T), then fails over to the replica', async () => {
    const net = hierarchy();
    net.kill(ADDR.ns1Stanford);
    const { resolver } = resolverOn(net, { timeoutMs: 1000, retries: 1, backoff: 2 });
    const r = await resolver.resolve('www.stanford.edu', 'A');
    expect(dataOfAll(r.answers)).toEqual(['10.0.2.10']);
    expect(net.calls.map((c) => [c.t, c.server, c.timeoutMs])).toEqual([
      [0, ROOT, 1000],
      [10, EDU, 1000],
      [20, NS1, 1000],
      [1020, NS1, 2000],
      [3020, NS2, 1000],
    ]);
    expect(net.clock.t).toBe(3030);
    expect(r.trace).toMatchObject({ queries: 5, ms: 3030 });
    expect(resolver.stats.counters.timeouts).toBe(2);
    // The dead server goes last for a while: the next lookup in the zone goes straight to the replica.
    await resolver.resolve('mail.stanford.edu', 'A');
    expect(net.path(5)).toEqual([NS2]);
  });

  it('ignores responses whose ID does not match, and never caches their data', async () => {
    const net = hierarchy();
    const honest = serve(responderFor(['stanford.edu']));
    let spoofed = 0;
    net.add(ADDR.ns1Stanford, async (query, tcp) => {
      if (spoofed++ > 0) return honest(query, tcp);
      return craft(query, { answers: [a('www.stanford.edu', '6.6.6.6')] }, { id: query.readUInt16BE(0) ^ 0x5a5a, flags: 1 << 10 });
    });
    const { resolver, lines } = resolverOn(net);
    const r = await resolver.resolve('www.stanford.edu', 'A');
    expect(dataOfAll(r.answers)).toEqual(['10.0.2.10']);
    expect(lines.some((l) => l.includes('outcome=mismatch'))).toBe(true);
    expect(net.path()).toEqual([ROOT, EDU, NS1, NS1]);
  });

  it('ignores out-of-bailiwick glue and resolves the name server itself', async () => {
    const net = hierarchy();
    // A poisoning edu server: refers stanford.edu to ns.evil.com and "helpfully" adds addresses it has no authority for.
    net.add(ADDR.edu, async (query) =>
      craft(query, {
        authorities: [ns('stanford.edu', 'ns.evil.com')],
        additionals: [a('ns.evil.com', '6.6.6.6'), a('www.bank.com', '6.6.6.6')],
      }),
    );
    net.add(ADDR.evil, serve(responderFor(['evil.com', 'stanford.edu'])));
    const { resolver } = resolverOn(net);
    const r = await resolver.resolve('www.stanford.edu', 'A');
    expect(dataOfAll(r.answers)).toEqual(['10.0.2.10']);
    expect(net.calls.some((c) => c.server.endsWith('@6.6.6.6'))).toBe(false);
    expect(net.path()).toEqual([ROOT, EDU, ROOT, `a.gtld-servers.net@${ADDR.com}`, `ns.evil.com@${ADDR.evil}`, `ns.evil.com@${ADDR.evil}`]);
    expect(resolver.cache.get('www.bank.com', 'A')).toBeUndefined();
  });

  it('retries over TCP when a UDP response is truncated', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net);
    const r = await resolver.resolve('big.stanford.edu', 'A');
    expect(r.answers).toHaveLength(40);
    expect(net.calls.slice(-2).map((c) => [c.server, c.tcp])).toEqual([[NS1, false], [NS1, true]]);
  });

  it('fails with SERVFAIL when no server answers', async () => {
    const net = hierarchy();
    net.kill(ADDR.aRoot);
    const { resolver } = resolverOn(net, { timeoutMs: 100, retries: 2 });
    const r = await resolver.resolve('www.stanford.edu', 'A');
    expect(rcodeName(r.rcode)).toBe('SERVFAIL');
    expect(net.calls.map((c) => c.timeoutMs)).toEqual([100, 200, 400]);
    expect(resolver.stats.counters.servfail).toBe(1);
  });

  it('answers RD=0 queries from the cache only, with a referral when it has nothing', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net);
    const cold = await resolver.resolve('www.stanford.edu', 'A', { recurse: false });
    expect([cold.kind, cold.answers.length, net.calls.length]).toEqual(['referral', 0, 0]);
    await resolver.resolve('www.stanford.edu', 'A');
    const warm = await resolver.resolve('www.stanford.edu', 'A', { recurse: false });
    expect(dataOfAll(warm.answers)).toEqual(['10.0.2.10']);
  });

  it('starts cold again after a flush', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net);
    await resolver.resolve('www.stanford.edu', 'A');
    expect(resolver.flush()).toBeGreaterThan(0);
    await resolver.resolve('www.stanford.edu', 'A');
    expect(net.path(3)).toEqual([ROOT, EDU, NS1]);
  });
});

describe('recursive mode (forwarders) and the recursive chain', () => {
  it('sends RD=1 to the forwarder, which walks the chain recursively (root -> edu -> stanford.edu)', async () => {
    const net = hierarchy({ recursive: [ADDR.aRoot, ADDR.edu] });
    const { resolver } = resolverOn(net, { mode: 'recursive', forwarders: [ADDR.aRoot] });
    const r = await resolver.resolve('www.stanford.edu', 'A');
    expect(dataOfAll(r.answers)).toEqual(['10.0.2.10']);
    expect(net.calls.map((c) => [c.server, c.rd])).toEqual([
      [`${ADDR.aRoot}@${ADDR.aRoot}`, true],
      [EDU, true],
      [NS1, true],
    ]);
    const again = await resolver.resolve('www.stanford.edu', 'A');
    expect(again.trace.cache).toBe('hit');
    expect(net.calls).toHaveLength(3);
  });

  it('fails over between forwarders in order', async () => {
    const net = hierarchy({ recursive: [ADDR.bRoot, ADDR.edu] });
    net.kill(ADDR.aRoot);
    const { resolver } = resolverOn(net, { mode: 'recursive', forwarders: [ADDR.aRoot, ADDR.bRoot], retries: 0 });
    const r = await resolver.resolve('www.stanford.edu', 'A');
    expect(dataOfAll(r.answers)).toEqual(['10.0.2.10']);
    expect(r.trace.servers.slice(0, 2)).toEqual([`${ADDR.aRoot}@${ADDR.aRoot}`, `${ADDR.bRoot}@${ADDR.bRoot}`]);
  });

  it('gives SERVFAIL when the forwarder only refers (it does not recurse)', async () => {
    const net = hierarchy();
    const { resolver } = resolverOn(net, { mode: 'recursive', forwarders: [ADDR.aRoot] });
    const r = await resolver.resolve('www.stanford.edu', 'A');
    expect(rcodeName(r.rcode)).toBe('SERVFAIL');
  });
});
