import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { parseResolverConfig } from '../../../images/agent/src/dns/config.js';
import { buildQuery } from '../../../images/agent/src/dns/client.js';
import { ednsOf, rcodeName, rcodeOf } from '../../../images/agent/src/dns/message.js';
import { ResolverFrontEnd } from '../../../images/agent/src/dns/resolver-server.js';
import { Resolver } from '../../../images/agent/src/dns/resolver.js';
import { encodeTrace, readTrace, TRACE_OPTION, traceRequest } from '../../../images/agent/src/dns/trace.js';
import { matchesQuery } from '../../../images/agent/src/dns/upstream.js';
import { ADDR, hierarchy } from './hierarchy.js';

function frontEnd() {
  const net = hierarchy();
  const config = parseResolverConfig({ mode: 'iterative', rootHints: [{ name: 'a.root-servers.net', address: ADDR.aRoot }] });
  return new ResolverFrontEnd(new Resolver(config, net.deps()));
}

const question = { name: 'www.stanford.edu', type: 'A' as const, class: 'IN' as const };

describe('the per-lookup trace (EDNS0 option 65001)', () => {
  it('round-trips through an encoded packet', () => {
    const trace = { cache: 'miss' as const, queries: 3, servers: ['a.root-servers.net@10.0.0.2', 'x@y'], ms: 12.5 };
    const opt = { name: '.', type: 'OPT' as const, udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [encodeTrace(trace)] };
    const packet = dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, questions: [question], additionals: [opt as never] }));
    expect(readTrace(packet)).toEqual(trace);
  });

  it('is added only when the query asks for it; RA=1 and RD copied', async () => {
    const fe = frontEnd();
    const asked = await fe.respond(buildQuery(question, { id: 7, rd: true, tcp: false, timeoutMs: 1, ednsOptions: [traceRequest()] }), { client: 'c', tcp: false });
    const r = dnsPacket.decode(asked.bytes!);
    expect([r.id, r.flag_ra, r.flag_rd, rcodeName(rcodeOf(r))]).toEqual([7, true, true, 'NOERROR']);
    expect(readTrace(r)).toMatchObject({ cache: 'miss', queries: 3, servers: [`a.root-servers.net@${ADDR.aRoot}`, `a.edu-servers.net@${ADDR.edu}`, `ns1.stanford.edu@${ADDR.ns1Stanford}`] });
    expect(asked.line).toMatch(/^lookup client=c qname=www.stanford.edu qtype=A rcode=NOERROR kind=answer cache=miss queries=3/);
    const plain = dnsPacket.decode((await fe.respond(buildQuery(question, { id: 8, rd: true, tcp: false, timeoutMs: 1 }), { client: 'c', tcp: false })).bytes!);
    expect(ednsOf(plain)?.options.some((o) => o.code === TRACE_OPTION)).toBe(false);
    expect(readTrace(plain)).toBeUndefined();
  });

  it('answers malformed queries with FORMERR', async () => {
    const { bytes } = await frontEnd().respond(Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x02]), { client: 'c', tcp: false });
    const r = dnsPacket.decode(bytes!);
    expect([r.id, rcodeName(rcodeOf(r))]).toEqual([0xabcd, 'FORMERR']);
  });
});

describe('response matching', () => {
  const response = (id: number, name: string, type = 'A') => dnsPacket.decode(dnsPacket.encode({ type: 'response', id, questions: [{ name, type: type as 'A', class: 'IN' }] }));
  it('accepts the same ID and question, the name in any case', () => {
    expect(matchesQuery(5, question, response(5, 'WWW.Stanford.EDU'))).toBe(true);
    expect(matchesQuery(5, question, response(6, 'www.stanford.edu'))).toBe(false);
    expect(matchesQuery(5, question, response(5, 'www.stanford.com'))).toBe(false);
    expect(matchesQuery(5, question, response(5, 'www.stanford.edu', 'AAAA'))).toBe(false);
  });
});
