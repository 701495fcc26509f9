// The local DNS server of a dns-resolver node: clients' queries over UDP and TCP, answered by
// the Resolver (RA=1), with the per-lookup trace (EDNS0 option 65001) for stubs that ask for it.
import type { Packet } from 'dns-packet';
import { socketTransport } from './client.js';
import type { ResolverSettings } from './config.js';
import { listen } from './listener.js';
import { encodeResponse, FLAG, parseQuery, RCODE, rcodeName, rcodeOf, replyTo, responseLimit } from './message.js';
import { Resolver, type ResolverDeps } from './resolver.js';
import type { ResolverStatsReport } from './resolver-stats.js';
import { monotonicMs, secureRandom, type ServeOptions } from './server.js';
import { encodeTrace, wantsTrace } from './trace.js';

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
      const r = await this.resolver.resolve(name, type, { recurse: q.rd });
      response = replyTo(q, r.rcode, FLAG.RA, { answers: r.answers, authorities: r.authorities });
      if (wantsTrace(q.edns)) options = [encodeTrace(r.trace)];
      summary = `kind=${r.kind} cache=${r.trace.cache} queries=${r.trace.queries} ms=${r.trace.ms}${r.reason ? ` note="${r.reason}"` : ''}`;
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
  const deps: ResolverDeps = {
    transport: socketTransport({ port: config.upstreamPort, random: secureRandom }),
    now: monotonicMs,
    random: secureRandom,
    log: options.log,
    ...options.deps,
  };
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
    close: () => listener.close(),
  };
}
