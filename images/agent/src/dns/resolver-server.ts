// The local DNS server of a dns-resolver node: clients' queries over UDP and TCP, answered by
// the Resolver (RA=1), with the per-lookup trace (EDNS0 option 65001) for stubs that ask for it.
import type { Answer, Packet } from 'dns-packet';
import { socketTransport } from './client.js';
import type { ResolverSettings } from './config.js';
import { listen } from './listener.js';
import { encodeResponse, FLAG, parseQuery, RCODE, rcodeName, rcodeOf, replyTo, responseLimit } from './message.js';
import { Resolver, type ResolverDeps } from './resolver.js';
import type { ResolverStatsReport } from './resolver-stats.js';
import { monotonicMs, secureRandom, type ServeOptions } from './server.js';
import { encodeTrace, wantsTrace } from './trace.js';
import { FIXED_SOURCE_PORT, mixCase, sequentialIds } from './defences.js';
import { fixedPortTransport } from './fixed-port.js';

/** Turns a client's query bytes into response bytes and one log line. Pure apart from the resolver it drives. */
export class ResolverFrontEnd {
  constructor(readonly resolver: Resolver) {}

  async respond(raw: Buffer, meta: { client: string; tcp: boolean }): Promise<{ bytes?: Buffer; line: string }> {
    const proto = meta.tcp ? 'tcp' : 'udp';
    const parsed = parseQuery(raw);
    if (!parsed.ok) {
      const reply: Packet | undefined = parsed.reply && { ...parsed.reply, flags: (parsed.reply.flags ?? 0) | FLAG.RA };
      const rcode = !reply ? 'dropped' : parsed.reason.startsWith('EDNS version') ? 'BADVERS' : rcodeName(rcodeOf(reply));
      const bytes = reply && encodeResponse(reply, parsed.edns, responseLimit(parsed.edns, meta.tcp)).bytes;
      return { bytes, line: `lookup client=${meta.client} rcode=${rcode} proto=${proto} note="${parsed.reason}"` };
    }
    const q = parsed.query;
    const { name, type } = q.question;
    let response: Packet;
    let summary: string;
    let options: ReturnType<typeof encodeTrace>[] = [];
    try {
      const cd = (q.flags & FLAG.CD) !== 0;
      const r = await this.resolver.resolve(name, type, { recurse: q.rd, checkingDisabled: cd });
      // DO=1: the RRSIGs go along, and a negative answer's NSEC proof (the client may validate itself, as delv does).
      const signed = q.edns?.dnssecOk === true;
      const withSigs = (records: Answer[]) => [...records, ...r.sigs.filter((s) => records.some((a) => a.name === s.name && a.type === (s as unknown as { data: { typeCovered: string } }).data.typeCovered))];
      const answers = signed ? withSigs(r.answers) : r.answers;
      const authorities = signed ? withSigs([...r.authorities, ...r.proof]) : r.authorities;
      response = replyTo(q, r.rcode, FLAG.RA | (r.secure ? FLAG.AD : 0) | (cd ? FLAG.CD : 0), { answers, authorities });
      if (wantsTrace(q.edns)) options = [encodeTrace(r.trace)];
      summary = `kind=${r.kind}${r.secure ? ' ad=1' : ''} cache=${r.trace.cache} queries=${r.trace.queries} ms=${r.trace.ms}${r.reason ? ` note="${r.reason}"` : ''}`;
    } catch (e) {
      response = replyTo(q, RCODE.SERVFAIL, FLAG.RA);
      summary = `kind=servfail note="${e instanceof Error ? e.message : String(e)}"`;
    }
    const encoded = encodeResponse(response, q.edns, responseLimit(q.edns, meta.tcp), options);
    const line = `lookup client=${meta.client} qname=${name} qtype=${type} rcode=${rcodeName(rcodeOf(response))} ${summary} proto=${proto}${encoded.truncated ? ' tc=1' : ''}`;
    return { bytes: encoded.bytes, line };
  }
}

export interface ResolverServer {
  port: number;
  resolver: Resolver;
  stats(): ResolverStatsReport;
  /** Empties the cache; returns how many entries it held. */
  flush(): number;
  close(): Promise<void>;
}

export async function startResolverServer(config: ResolverSettings, options: ServeOptions & { deps?: Partial<ResolverDeps> }): Promise<ResolverServer> {
  const started = monotonicMs();
  const fixed = config.randomPort ? undefined : await fixedPortTransport({ port: config.upstreamPort, sourcePort: FIXED_SOURCE_PORT });
  const deps: ResolverDeps = {
    transport: fixed?.transport ?? socketTransport({ port: config.upstreamPort, random: secureRandom }),
    now: monotonicMs,
    random: secureRandom,
    dnssecOk: true,
    ...(config.randomId ? {} : { nextId: sequentialIds(1) }),
    ...(config.caseRandomization ? { mixCase: mixCase(secureRandom) } : {}),
    log: options.log,
    ...options.deps,
  };
  const off = [!config.bailiwick && 'bailiwick', !config.randomPort && `random-port (fixed ${FIXED_SOURCE_PORT})`, !config.randomId && 'random-id (sequential)'].filter(Boolean);
  options.log(`dns: defences: 0x20 ${config.caseRandomization ? 'on' : 'off'}, DNSSEC validation ${config.validate ? 'on' : 'off'}${off.length > 0 ? `; OFF: ${off.join(', ')}` : ''}`);
  const resolver = new Resolver(config, deps);
  const front = new ResolverFrontEnd(resolver);
  const upstream = config.mode === 'recursive' ? `forwarders [${config.forwarders.join(', ')}]` : `root hints [${config.rootHints.map((h) => h.name).join(', ')}]`;
  options.log(`dns: starting ${config.mode} resolver (${upstream})…`);
  const listener = await listen(
    async (raw, meta) => {
      const { bytes, line } = await front.respond(raw, meta);
      options.log(line);
      return bytes;
    },
    { port: config.port, address: options.address ?? '0.0.0.0', log: options.log },
  );
  options.log(`dns: resolver on udp/tcp ${listener.port} in ${Math.round(monotonicMs() - started)} ms`);
  return {
    port: listener.port,
    resolver,
    stats: () => resolver.stats.report(resolver.cache.size),
    flush: () => resolver.flush(),
    close: () => {
      fixed?.close();
      return listener.close();
    },
  };
}
