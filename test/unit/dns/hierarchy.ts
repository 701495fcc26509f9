// The lecture's DNS hierarchy in memory: root, edu, stanford.edu, uk, ac.uk, cam.ac.uk, and com /
// cdn.com / evil.com for aliases and poisoning, each served by an AuthResponder behind a fake
// transport with per-server delays, dead servers and an injected clock. No sockets.
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import { AuthResponder } from '../../../images/agent/src/dns/authority.js';
import { buildQuery } from '../../../images/agent/src/dns/client.js';
import { parseServerConfig, type DnsRecord, type DnsZone } from '../../../images/agent/src/dns/config.js';
import { mulberry32 } from '../../../images/agent/src/dns/lookup-plan.js';
import { DnsTimeoutError, type Transport, type UpstreamDeps } from '../../../images/agent/src/dns/upstream.js';
import { ZoneSet } from '../../../images/agent/src/dns/zone.js';

export const rr = (name: string, type: string, ttl: number, data: unknown): DnsRecord => ({ name, type, ttl, data });
const soa = (origin: string, minimum = 60, ttl = 3600) =>
  rr(origin, 'SOA', ttl, { mname: `ns.${origin === '.' ? 'root' : origin}`, rname: `hostmaster.${origin === '.' ? 'root' : origin}`, serial: 1, refresh: 7200, retry: 3600, expire: 1209600, minimum });

export const ADDR = {
  aRoot: '10.0.0.2',
  bRoot: '10.0.0.3',
  edu: '10.0.1.2',
  ns1Stanford: '10.0.2.2',
  ns2Stanford: '10.0.2.3',
  uk: '10.0.3.2',
  acUk: '10.0.3.5',
  cam: '10.0.4.2',
  com: '10.0.5.2',
  cdn: '10.0.6.2',
  evil: '10.0.7.2',
} as const;

export function zones(): Record<string, DnsZone> {
  const z: Record<string, DnsRecord[]> = {
    '.': [
      soa('.', 86400, 86400),
      rr('.', 'NS', 518400, 'a.root-servers.net'),
      rr('.', 'NS', 518400, 'b.root-servers.net'),
      rr('a.root-servers.net', 'A', 518400, ADDR.aRoot),
      rr('b.root-servers.net', 'A', 518400, ADDR.bRoot),
      rr('edu', 'NS', 172800, 'a.edu-servers.net'),
      rr('a.edu-servers.net', 'A', 172800, ADDR.edu),
      rr('uk', 'NS', 172800, 'ns1.nic.uk'),
      rr('ns1.nic.uk', 'A', 172800, ADDR.uk),
      rr('com', 'NS', 172800, 'a.gtld-servers.net'),
      rr('a.gtld-servers.net', 'A', 172800, ADDR.com),
    ],
    edu: [
      soa('edu', 900),
      rr('edu', 'NS', 172800, 'a.edu-servers.net'),
      rr('stanford.edu', 'NS', 172800, 'ns1.stanford.edu'),
      rr('stanford.edu', 'NS', 172800, 'ns2.stanford.edu'),
      rr('ns1.stanford.edu', 'A', 172800, ADDR.ns1Stanford),
      rr('ns2.stanford.edu', 'A', 172800, ADDR.ns2Stanford),
    ],
    'stanford.edu': [
      soa('stanford.edu', 60, 3600),
      rr('stanford.edu', 'NS', 3600, 'ns1.stanford.edu'),
      rr('stanford.edu', 'NS', 3600, 'ns2.stanford.edu'),
      rr('ns1.stanford.edu', 'A', 3600, ADDR.ns1Stanford),
      rr('ns2.stanford.edu', 'A', 3600, ADDR.ns2Stanford),
      rr('www.stanford.edu', 'A', 300, '10.0.2.10'),
      rr('mail.stanford.edu', 'A', 300, '10.0.2.11'),
      rr('stanford.edu', 'MX', 300, { preference: 10, exchange: 'mail.stanford.edu' }),
      rr('lb.stanford.edu', 'A', 60, '10.0.2.21'),
      rr('lb.stanford.edu', 'A', 60, '10.0.2.22'),
      rr('lb.stanford.edu', 'A', 60, '10.0.2.23'),
      rr('alias.stanford.edu', 'CNAME', 300, 'www.stanford.edu'),
      rr('ext.stanford.edu', 'CNAME', 300, 'www.cdn.com'),
      rr('*.users.stanford.edu', 'A', 120, '10.0.2.99'),
      rr('host.users.stanford.edu', 'TXT', 120, 'a host with only text'),
      rr('a.b.users.stanford.edu', 'A', 120, '10.0.2.98'),
      ...Array.from({ length: 5 }, (_, i) => rr(`c${i}.stanford.edu`, 'CNAME', 300, `c${i + 1}.stanford.edu`)),
      rr('c5.stanford.edu', 'A', 300, '10.0.2.55'),
      rr('loop1.stanford.edu', 'CNAME', 300, 'loop2.stanford.edu'),
      rr('loop2.stanford.edu', 'CNAME', 300, 'loop1.stanford.edu'),
      ...Array.from({ length: 40 }, (_, i) => rr('big.stanford.edu', 'A', 300, `10.0.8.${i + 1}`)),
    ],
    uk: [soa('uk'), rr('uk', 'NS', 172800, 'ns1.nic.uk'), rr('ac.uk', 'NS', 172800, 'ns.ac.uk'), rr('ns.ac.uk', 'A', 172800, ADDR.acUk)],
    'ac.uk': [soa('ac.uk'), rr('ac.uk', 'NS', 3600, 'ns.ac.uk'), rr('cam.ac.uk', 'NS', 3600, 'dns.cam.ac.uk'), rr('dns.cam.ac.uk', 'A', 3600, ADDR.cam)],
    'cam.ac.uk': [soa('cam.ac.uk'), rr('cam.ac.uk', 'NS', 3600, 'dns.cam.ac.uk'), rr('dns.cam.ac.uk', 'A', 3600, ADDR.cam), rr('www.cam.ac.uk', 'A', 300, '10.0.4.10')],
    com: [
      soa('com'),
      rr('com', 'NS', 172800, 'a.gtld-servers.net'),
      rr('cdn.com', 'NS', 172800, 'ns.cdn.com'),
      rr('ns.cdn.com', 'A', 172800, ADDR.cdn),
      rr('evil.com', 'NS', 172800, 'ns.evil.com'),
      rr('ns.evil.com', 'A', 172800, ADDR.evil),
    ],
    'cdn.com': [soa('cdn.com'), rr('cdn.com', 'NS', 3600, 'ns.cdn.com'), rr('ns.cdn.com', 'A', 3600, ADDR.cdn), rr('www.cdn.com', 'A', 20, '10.0.6.10')],
    'evil.com': [soa('evil.com'), rr('evil.com', 'NS', 3600, 'ns.evil.com'), rr('ns.evil.com', 'A', 3600, ADDR.evil)],
  };
  return Object.fromEntries(Object.entries(z).map(([origin, records]) => [origin, { origin, records }]));
}

/** Which zones each server address hosts. */
export const HOSTING: Record<string, string[]> = {
  [ADDR.aRoot]: ['.'],
  [ADDR.bRoot]: ['.'],
  [ADDR.edu]: ['edu'],
  [ADDR.ns1Stanford]: ['stanford.edu'],
  [ADDR.ns2Stanford]: ['stanford.edu'],
  [ADDR.uk]: ['uk'],
  [ADDR.acUk]: ['ac.uk'],
  [ADDR.cam]: ['cam.ac.uk'],
  [ADDR.com]: ['com'],
  [ADDR.cdn]: ['cdn.com'],
  [ADDR.evil]: ['evil.com'],
};

export class FakeClock {
  t = 0;
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export type Respond = (query: Buffer, tcp: boolean) => Promise<Buffer | undefined>;

export interface Call { t: number; server: string; name: string; type: string; rd: boolean; tcp: boolean; timeoutMs: number; id: number }

/** Servers by address behind one transport; a dead server (or one slower than the timeout) costs the full timeout on the clock. */
export class FakeNet {
  readonly clock = new FakeClock();
  readonly calls: Call[] = [];
  readonly servers = new Map<string, { respond: Respond; delayMs: number; dead: boolean }>();
  readonly random = mulberry32(42);

  add(address: string, respond: Respond, delayMs = 10): this {
    this.servers.set(address, { respond, delayMs, dead: false });
    return this;
  }

  kill(address: string): void {
    const s = this.servers.get(address);
    if (s) s.dead = true;
  }

  readonly transport: Transport = async (server, question, o) => {
    this.calls.push({ t: this.clock.t, server: `${server.name}@${server.address}`, name: question.name, type: question.type, rd: o.rd, tcp: o.tcp, timeoutMs: o.timeoutMs, id: o.id });
    const s = this.servers.get(server.address);
    const reply = s && !s.dead && s.delayMs < o.timeoutMs ? await s.respond(buildQuery(question, o), o.tcp) : undefined;
    if (!s || !reply) {
      this.clock.advance(o.timeoutMs);
      throw new DnsTimeoutError(server.address, o.timeoutMs);
    }
    this.clock.advance(s.delayMs);
    return dnsPacket.decode(reply);
  };

  deps(): UpstreamDeps {
    return { transport: this.transport, now: this.clock.now, random: this.random };
  }

  /** `name@address` of each call, in order. */
  path(from = 0): string[] {
    return this.calls.slice(from).map((c) => c.server);
  }
}

export function responderFor(origins: string[], options: { rotate?: boolean; recursion?: { deps: UpstreamDeps } } = {}): AuthResponder {
  const all = zones();
  const config = parseServerConfig({ zones: origins.map((o) => all[o]), rotate: options.rotate ?? false });
  const recursion = options.recursion && { deps: options.recursion.deps, policy: { timeoutMs: 1000, retries: 1, backoff: 2 } };
  return new AuthResponder(new ZoneSet(config.zones, { rotate: config.rotate }), recursion);
}

export const serve = (responder: AuthResponder): Respond => async (query, tcp) => (await responder.respond(query, { client: '10.9.9.9', tcp })).bytes;

/** The whole hierarchy, every server 10 ms away (RTT), no rotation so orders are predictable. */
export function hierarchy(options: { recursive?: string[] } = {}): FakeNet {
  const net = new FakeNet();
  for (const [address, origins] of Object.entries(HOSTING)) {
    const recursion = options.recursive?.includes(address) ? { deps: net.deps() } : undefined;
    net.add(address, serve(responderFor(origins, { recursion })));
  }
  return net;
}

/** A response to `query` made by hand (for spoofing and poisoning servers). */
export function craft(query: Buffer, sections: { answers?: Answer[]; authorities?: Answer[]; additionals?: Answer[] }, extra: { flags?: number; id?: number } = {}): Buffer {
  const q: DecodedPacket = dnsPacket.decode(query);
  const packet: Packet = { id: extra.id ?? q.id, type: 'response', flags: extra.flags ?? 0, questions: q.questions, ...sections };
  return dnsPacket.encode(packet);
}

export const a = (name: string, address: string, ttl = 300): Answer => ({ name, type: 'A', ttl, class: 'IN', data: address });
export const ns = (zone: string, host: string, ttl = 3600): Answer => ({ name: zone, type: 'NS', ttl, class: 'IN', data: host });
export const dataOfAll = (answers: Answer[] | undefined): unknown[] => (answers ?? []).map((x) => ('data' in x ? x.data : undefined));
export const ttlsOf = (answers: Answer[] | undefined): (number | undefined)[] => (answers ?? []).map((x) => ('ttl' in x ? x.ttl : undefined));
