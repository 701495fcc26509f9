// Real UDP and TCP sockets, on 127.0.0.1 and ephemeral ports only: an authoritative server, the
// resolver in front of it and a stub, as in a lab but in one process.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange } from '../../../images/agent/src/dns/client.js';
import { parseResolverConfig, parseServerConfig } from '../../../images/agent/src/dns/config.js';
import { rcodeName, rcodeOf } from '../../../images/agent/src/dns/message.js';
import { startResolverServer } from '../../../images/agent/src/dns/resolver-server.js';
import { startAuthServer } from '../../../images/agent/src/dns/server.js';
import { stubQuery } from '../../../images/agent/src/dns/stub.js';
import { DnsTimeoutError } from '../../../images/agent/src/dns/upstream.js';
import { a, craft, dataOfAll, zones } from './hierarchy.js';

const LOCAL = '127.0.0.1';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function lab() {
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  const all = zones();
  // One server for root, edu and stanford.edu: it answers from the deepest zone it has.
  const authConfig = parseServerConfig({ zones: [all['.'], all.edu, all['stanford.edu']], port: 0 });
  const auth = await startAuthServer(authConfig, { address: LOCAL, log });
  cleanups.push(() => auth.close());
  const resolverConfig = parseResolverConfig({ mode: 'iterative', rootHints: [{ name: 'a.root-servers.net', address: LOCAL }], port: 0, upstreamPort: auth.port, timeoutMs: 500 });
  const resolver = await startResolverServer(resolverConfig, { address: LOCAL, log });
  cleanups.push(() => resolver.close());
  return { auth, resolver, lines, stub: { address: LOCAL, port: resolver.port } };
}

/** A UDP "server" on 127.0.0.1 whose replies the test decides. */
async function udpServer(reply: (msg: Buffer, send: (b: Buffer) => void) => void): Promise<number> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => reply(msg, (b) => socket.send(b, rinfo.port, rinfo.address)));
  await new Promise<void>((resolve) => socket.bind(0, LOCAL, resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket.address().port;
}

describe('DNS over real sockets (127.0.0.1)', () => {
  it('stub -> resolver -> authoritative server, then the same lookup from the cache', async () => {
    const { stub, lines, auth, resolver } = await lab();
    const cold = await stubQuery(stub, 'www.stanford.edu', 'A', { rd: true, timeoutMs: 2000, trace: true });
    expect([cold.rcode, dataOfAll(cold.response.answers), cold.response.flag_ra]).toEqual(['NOERROR', ['10.0.2.10'], true]);
    expect(cold.trace).toMatchObject({ cache: 'miss', queries: 1, servers: ['a.root-servers.net@127.0.0.1'] });
    const warm = await stubQuery(stub, 'WWW.Stanford.EDU', 'A', { rd: true, timeoutMs: 2000, trace: true });
    expect(warm.trace).toMatchObject({ cache: 'hit', queries: 0 });
    expect(warm.response.questions?.[0]?.name).toBe('WWW.Stanford.EDU');
    const nx = await stubQuery(stub, 'wwww.stanford.edu', 'A', { rd: true, timeoutMs: 2000, trace: false });
    expect([nx.rcode, nx.trace]).toEqual(['NXDOMAIN', undefined]);
    expect(lines.some((l) => l.startsWith('query client=127.0.0.1 qname=www.stanford.edu qtype=A rcode=NOERROR kind=answer proto=udp'))).toBe(true);
    expect(lines.some((l) => l.startsWith('upstream server=a.root-servers.net@127.0.0.1 qname=www.stanford.edu qtype=A outcome=answer'))).toBe(true);
    expect(auth.stats().counters).toMatchObject({ queries: 2, answer: 1, nxdomain: 1 });
    expect(resolver.stats().counters).toMatchObject({ client_queries: 3, cache_hits: 1, cache_misses: 2, upstream_queries: 2 });
  });

  it('retries over TCP after truncation, upstream and at the stub', async () => {
    const { stub, lines } = await lab();
    const r = await stubQuery(stub, 'big.stanford.edu', 'A', { rd: true, timeoutMs: 2000, trace: true });
    expect(r.tcp).toBe(true);
    expect(r.response.answers).toHaveLength(40);
    expect(r.trace?.queries).toBe(2); // UDP (truncated), then TCP
    expect(lines.some((l) => l.includes('outcome=truncated') && l.includes('proto=udp'))).toBe(true);
    expect(lines.some((l) => l.includes('qname=big.stanford.edu') && l.includes('outcome=answer') && l.includes('proto=tcp'))).toBe(true);
  });

  it('answers a classic (no EDNS) query within 512 bytes, with TC=1 when it does not fit', async () => {
    const { auth } = await lab();
    const raw = dnsPacket.encode({ type: 'query', id: 99, questions: [{ name: 'big.stanford.edu', type: 'A', class: 'IN' }] });
    const got = await new Promise<Buffer>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.on('message', (m) => s.close(() => resolve(m)));
      s.send(raw, auth.port, LOCAL);
    });
    const p = dnsPacket.decode(got);
    expect(got.length).toBeLessThanOrEqual(512);
    expect([p.id, p.flag_tc, p.flag_aa]).toEqual([99, true, true]);
  });

  it('serves several queries on one TCP connection', async () => {
    const { auth } = await lab();
    const q = (id: number, name: string) => dnsPacket.streamEncode({ type: 'query', id, questions: [{ name, type: 'A', class: 'IN' }] });
    const net = await import('node:net');
    const answers = await new Promise<number[]>((resolve, reject) => {
      const socket = net.connect(auth.port, LOCAL, () => socket.write(Buffer.concat([q(1, 'www.stanford.edu'), q(2, 'mail.stanford.edu')])));
      let buf = Buffer.alloc(0);
      const ids: number[] = [];
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          ids.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))).id ?? -1);
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (ids.length === 2) {
          socket.destroy();
          resolve(ids.sort());
        }
      });
      socket.on('error', reject);
    });
    expect(answers).toEqual([1, 2]);
  });

  it('ignores datagrams with the wrong ID or question and takes the matching one', async () => {
    const port = await udpServer((msg, send) => {
      const id = msg.readUInt16BE(0);
      send(craft(msg, { answers: [a('www.stanford.edu', '6.6.6.6')] }, { id: id ^ 1 }));
      send(dnsPacket.encode({ type: 'response', id, questions: [{ name: 'www.evil.com', type: 'A', class: 'IN' }], answers: [a('www.evil.com', '6.6.6.6')] }));
      send(Buffer.from('junk'));
      setTimeout(() => send(craft(msg, { answers: [a('www.stanford.edu', '10.0.2.10')] })), 10);
    });
    const question = { name: 'www.stanford.edu', type: 'A' as const, class: 'IN' as const };
    const r = await exchange({ address: LOCAL, port }, question, { id: 777, rd: false, tcp: false, timeoutMs: 1000, random: Math.random });
    expect([r.id, dataOfAll(r.answers)]).toEqual([777, ['10.0.2.10']]);
  });

  it('times out with DnsTimeoutError when nothing answers', async () => {
    const port = await udpServer(() => undefined);
    const started = Date.now();
    const failed = stubQuery({ address: LOCAL, port }, 'www.stanford.edu', 'A', { rd: true, timeoutMs: 100, trace: true });
    await expect(failed).rejects.toBeInstanceOf(DnsTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('resolver gives SERVFAIL when the root does not answer', async () => {
    const silent = await udpServer(() => undefined);
    const config = parseResolverConfig({ mode: 'iterative', rootHints: [{ name: 'a.root-servers.net', address: LOCAL }], port: 0, upstreamPort: silent, timeoutMs: 50, retries: 1 });
    const resolver = await startResolverServer(config, { address: LOCAL, log: () => undefined });
    cleanups.push(() => resolver.close());
    const r = await stubQuery({ address: LOCAL, port: resolver.port }, 'www.stanford.edu', 'A', { rd: true, timeoutMs: 2000, trace: true });
    expect([r.rcode, r.trace?.queries]).toEqual(['SERVFAIL', 2]);
    expect(rcodeName(rcodeOf(r.response))).toBe('SERVFAIL');
  });
});
