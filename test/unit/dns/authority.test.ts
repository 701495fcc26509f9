import dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { FLAG, makeOpt, rcodeName, rcodeOf } from '../../../images/agent/src/dns/message.js';
import type { AuthResponder } from '../../../images/agent/src/dns/authority.js';
import { dataOfAll, responderFor } from './hierarchy.js';

const query = (name: string, type = 'A', extra: Partial<Packet> = {}): Buffer =>
  dnsPacket.encode({ type: 'query', id: 4242, flags: 0, questions: [{ name, type: type as 'A', class: 'IN' }], ...extra });

async function ask(server: AuthResponder, raw: Buffer, tcp = false): Promise<DecodedPacket & { rcodeName: string; kind: string }> {
  const { bytes, entry } = await server.respond(raw, { client: '10.9.9.9', tcp });
  if (!bytes) throw new Error('no response');
  const p = dnsPacket.decode(bytes);
  return { ...p, rcodeName: rcodeName(rcodeOf(p)), kind: entry.kind };
}

describe('authoritative server (RFC 1034 §4.3.2)', () => {
  const stanford = () => responderFor(['stanford.edu']);

  it('answers names in its zone with AA=1', async () => {
    const r = await ask(stanford(), query('www.stanford.edu'));
    expect(r.id).toBe(4242);
    expect(r.flag_aa).toBe(true);
    expect(r.rcodeName).toBe('NOERROR');
    expect(dataOfAll(r.answers)).toEqual(['10.0.2.10']);
    expect(r.kind).toBe('answer');
  });

  it('refers names below a delegation: NS in authority, in-zone glue in additional, AA=0', async () => {
    const r = await ask(responderFor(['edu']), query('www.stanford.edu'));
    expect(r.flag_aa).toBe(false);
    expect(r.answers).toEqual([]);
    expect(r.authorities?.map((a) => [a.name, a.type])).toEqual([['stanford.edu', 'NS'], ['stanford.edu', 'NS']]);
    expect(r.additionals?.filter((a) => a.type === 'A').map((a) => a.name)).toEqual(['ns1.stanford.edu', 'ns2.stanford.edu']);
    expect(r.kind).toBe('referral');
  });

  it('root refers to the TLD with glue', async () => {
    const r = await ask(responderFor(['.']), query('www.cam.ac.uk'));
    expect(dataOfAll(r.authorities)).toEqual(['ns1.nic.uk']);
    expect(dataOfAll(r.additionals)).toEqual(['10.0.3.2']);
  });

  it('NXDOMAIN with the SOA, whose TTL is min(SOA TTL, MINIMUM) (RFC 2308)', async () => {
    const r = await ask(stanford(), query('wwww.stanford.edu'));
    expect(r.rcodeName).toBe('NXDOMAIN');
    expect(r.flag_aa).toBe(true);
    expect(r.authorities?.map((a) => [a.type, 'ttl' in a ? a.ttl : -1])).toEqual([['SOA', 60]]);
  });

  it('NODATA: the name exists with other types only', async () => {
    const r = await ask(stanford(), query('www.stanford.edu', 'AAAA'));
    expect(r.rcodeName).toBe('NOERROR');
    expect(r.answers).toEqual([]);
    expect(r.authorities?.map((a) => a.type)).toEqual(['SOA']);
    expect(r.kind).toBe('nodata');
  });

  it('follows a CNAME inside its own zones, and stops at names it does not serve', async () => {
    const inZone = await ask(stanford(), query('alias.stanford.edu'));
    expect(inZone.answers?.map((a) => a.type)).toEqual(['CNAME', 'A']);
    expect(dataOfAll(inZone.answers)).toEqual(['www.stanford.edu', '10.0.2.10']);
    const outside = await ask(stanford(), query('ext.stanford.edu'));
    expect(dataOfAll(outside.answers)).toEqual(['www.cdn.com']);
    expect(outside.rcodeName).toBe('NOERROR');
  });

  it('answers CNAME queries with the CNAME itself', async () => {
    const r = await ask(stanford(), query('alias.stanford.edu', 'CNAME'));
    expect(dataOfAll(r.answers)).toEqual(['www.stanford.edu']);
  });

  it('synthesizes wildcard answers under the closest encloser only (RFC 4592)', async () => {
    const s = stanford();
    const match = await ask(s, query('anyone.users.stanford.edu'));
    expect(match.answers?.map((a) => [a.name, 'data' in a ? a.data : ''])).toEqual([['anyone.users.stanford.edu', '10.0.2.99']]);
    const deeper = await ask(s, query('x.y.users.stanford.edu'));
    expect(dataOfAll(deeper.answers)).toEqual(['10.0.2.99']);
    // host.users exists (TXT only): no wildcard for it, NODATA.
    const existing = await ask(s, query('host.users.stanford.edu'));
    expect([existing.rcodeName, existing.answers?.length]).toEqual(['NOERROR', 0]);
    // b.users exists as an empty non-terminal, so it is the closest encloser of x.b.users and *.b.users does not exist.
    const blocked = await ask(s, query('x.b.users.stanford.edu'));
    expect(blocked.rcodeName).toBe('NXDOMAIN');
    const ent = await ask(s, query('b.users.stanford.edu'));
    expect([ent.rcodeName, ent.answers?.length]).toEqual(['NOERROR', 0]);
  });

  it('rotates multi-record RRsets from one query to the next', async () => {
    const s = responderFor(['stanford.edu'], { rotate: true });
    const firsts: unknown[] = [];
    for (let i = 0; i < 4; i++) firsts.push(dataOfAll((await ask(s, query('lb.stanford.edu'))).answers)[0]);
    expect(firsts).toEqual(['10.0.2.21', '10.0.2.22', '10.0.2.23', '10.0.2.21']);
  });

  it('adds addresses for MX targets (additional-section processing)', async () => {
    const r = await ask(stanford(), query('stanford.edu', 'MX'));
    expect(r.answers?.[0]?.type).toBe('MX');
    expect(dataOfAll(r.additionals)).toEqual(['10.0.2.11']);
  });

  it('REFUSES names outside its zones', async () => {
    const r = await ask(stanford(), query('www.example.org'));
    expect(r.rcodeName).toBe('REFUSED');
    expect(r.kind).toBe('refused');
  });

  it('answers unknown types with NODATA', async () => {
    const r = await ask(stanford(), query('www.stanford.edu', 'UNKNOWN_65280'));
    expect([r.rcodeName, r.answers?.length, r.authorities?.[0]?.type]).toEqual(['NOERROR', 0, 'SOA']);
  });

  it('sets TC=1 when the answer exceeds 512 bytes without EDNS, and answers in full over TCP or with a big EDNS payload', async () => {
    const s = stanford();
    const small = await ask(s, query('big.stanford.edu'));
    expect(small.flag_tc).toBe(true);
    expect(small.answers).toEqual([]);
    expect(small.questions?.[0]?.name).toBe('big.stanford.edu');
    const tcp = await ask(s, query('big.stanford.edu'), true);
    expect([tcp.flag_tc, tcp.answers?.length]).toEqual([false, 40]);
    const edns = await ask(s, query('big.stanford.edu', 'A', { additionals: [{ ...makeOpt(), udpPayloadSize: 4096 }] }));
    expect([edns.flag_tc, edns.answers?.length]).toEqual([false, 40]);
    expect(edns.additionals?.some((a) => a.type === 'OPT')).toBe(true);
    expect(small.additionals?.some((a) => a.type === 'OPT')).toBe(false);
  });

  it('FORMERR for a malformed query whose ID can be read; nothing for 1 byte', async () => {
    const s = stanford();
    const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f]);
    const r = await ask(s, garbage);
    expect([r.id, r.rcodeName, r.flag_qr]).toEqual([0x1234, 'FORMERR', true]);
    expect((await s.respond(Buffer.from([1]), { client: 'x', tcp: false })).bytes).toBeUndefined();
    expect(s.counters.formerr).toBe(1);
    expect(s.counters.dropped).toBe(1);
  });

  it('NOTIMP for opcodes other than QUERY, BADVERS for EDNS versions other than 0', async () => {
    const s = stanford();
    const status = await ask(s, query('www.stanford.edu', 'A', { flags: 2 << 11 }));
    expect(status.rcodeName).toBe('NOTIMP');
    const v1 = await ask(s, query('www.stanford.edu', 'A', { additionals: [{ ...makeOpt(), ednsVersion: 1 }] }));
    const opt = v1.additionals?.find((a) => a.type === 'OPT');
    expect(opt && 'extendedRcode' in opt ? opt.extendedRcode : undefined).toBe(1);
  });

  it('counts what it answered', async () => {
    const s = stanford();
    await ask(s, query('www.stanford.edu'));
    await ask(s, query('nope.stanford.edu'));
    await ask(s, query('big.stanford.edu'));
    expect(s.counters).toMatchObject({ queries: 3, udp: 3, answer: 2, nxdomain: 1, truncated: 1 });
  });

  it('copies RD and never sets RA when it does not recurse', async () => {
    const r = await ask(stanford(), query('www.stanford.edu', 'A', { flags: FLAG.RD }));
    expect([r.flag_rd, r.flag_ra]).toEqual([true, false]);
  });
});
