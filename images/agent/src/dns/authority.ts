// The authoritative server's message handling: bytes of a query in, bytes of the response out,
// plus a log entry. Never silent: a malformed query with a readable ID gets FORMERR, another
// opcode NOTIMP, a name outside our zones REFUSED. With `recursion`, an RD=1 query whose answer
// would be a referral is followed to the delegated servers (the lecture's "recursive" chain).
import type { Packet, Question } from 'dns-packet';
import { encodeResponse, FLAG, hasFlag, parseQuery, RCODE, rcodeName, rcodeOf, replyTo, responseLimit, type IncomingQuery } from './message.js';
import { queryServers, serverLabel, type NameServer, type RetryPolicy, type UpstreamDeps } from './upstream.js';
import type { ZoneSet } from './zone.js';
import type { DnssecRecords } from './dnssec/sections.js';
import type { Answer } from 'dns-packet';

export interface AuthExtras {
  /** Signed zones' RRSIG / NSEC / DS, added for DO=1 queries. */
  dnssec?: DnssecRecords;
  /** A malicious server's extra: these go in the additional section of every answer (the lecture's poisoned "additional" records). */
  inject?: Answer[];
}

export interface QueryLogEntry {
  client: string;
  qname: string;
  qtype: string;
  rcode: string;
  /** answer / referral / nxdomain / nodata / refused, or formerr / notimp / badvers / servfail / dropped. */
  kind: string;
  proto: 'udp' | 'tcp';
  truncated: boolean;
  /** The server this answer was fetched from, when the query was recursed. */
  via?: string;
  note?: string;
}

export const formatQueryLog = (e: QueryLogEntry): string =>
  `query client=${e.client} qname=${e.qname} qtype=${e.qtype} rcode=${e.rcode} kind=${e.kind} proto=${e.proto}` +
  (e.truncated ? ' tc=1' : '') + (e.via ? ` via=${e.via}` : '') + (e.note ? ` note="${e.note}"` : '');

export interface Recursion {
  deps: UpstreamDeps;
  policy: RetryPolicy;
  log?(line: string): void;
}

const COUNTERS = ['queries', 'udp', 'tcp', 'answer', 'referral', 'nxdomain', 'nodata', 'refused', 'formerr', 'notimp', 'badvers', 'servfail', 'dropped', 'truncated', 'recursed'] as const;
export type ServerCounters = Record<(typeof COUNTERS)[number], number>;

export class AuthResponder {
  readonly counters = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as ServerCounters;

  constructor(private readonly zones: ZoneSet, private readonly recursion?: Recursion, private readonly extras: AuthExtras = {}) {}

  async respond(raw: Buffer, meta: { client: string; tcp: boolean }): Promise<{ bytes?: Buffer; entry: QueryLogEntry }> {
    const proto = meta.tcp ? 'tcp' : 'udp';
    this.counters.queries++;
    this.counters[proto]++;
    const parsed = parseQuery(raw);
    if (!parsed.ok) {
      const kind = !parsed.reply ? 'dropped' : parsed.reason.startsWith('EDNS version') ? 'badvers' : rcodeName(rcodeOf(parsed.reply)).toLowerCase();
      this.count(kind);
      const entry = { client: meta.client, qname: parsed.question?.name ?? '-', qtype: parsed.question?.type ?? '-', rcode: kind === 'badvers' ? 'BADVERS' : parsed.reply ? rcodeName(rcodeOf(parsed.reply)) : '-', kind, proto, truncated: false, note: parsed.reason } as const;
      const flags = this.recursion ? FLAG.RA : 0;
      const reply = parsed.reply && { ...parsed.reply, flags: (parsed.reply.flags ?? 0) | flags };
      return { bytes: reply && encodeResponse(reply, parsed.edns, responseLimit(parsed.edns, meta.tcp)).bytes, entry };
    }
    const q = parsed.query;
    const { response, kind, via } = await this.answer(q, meta.client);
    const encoded = encodeResponse(response, q.edns, responseLimit(q.edns, meta.tcp));
    this.count(kind);
    if (encoded.truncated) this.counters.truncated++;
    const rcode = rcodeName(rcodeOf(response));
    return { bytes: encoded.bytes, entry: { client: meta.client, qname: q.question.name, qtype: q.question.type, rcode, kind, proto, truncated: encoded.truncated, via } };
  }

  private async answer(q: IncomingQuery, client: string): Promise<{ response: Packet; kind: string; via?: string }> {
    const found = this.zones.lookup(q.question.name, q.question.type, client);
    const ra = this.recursion ? FLAG.RA : 0;
    if (found.kind === 'referral' && found.referral && this.recursion && q.rd) {
      this.counters.recursed++;
      const relayed = await this.recurse(q.question, found.referral.servers, this.recursion);
      if (!relayed) return { response: replyTo(q, RCODE.SERVFAIL, ra), kind: 'servfail', via: found.referral.zone };
      const { response, server } = relayed;
      const sections = { answers: response.answers, authorities: response.authorities, additionals: (response.additionals ?? []).filter((a) => a.type !== 'OPT') };
      return { response: replyTo(q, rcodeOf(response), ra, sections), kind: kindOf(response), via: serverLabel(server) };
    }
    let sections = { answers: found.answers, authorities: found.authorities, additionals: found.additionals };
    if (q.edns?.dnssecOk && this.extras.dnssec) sections = this.extras.dnssec.sign({ kind: found.kind, ...sections, ...(found.referral ? { referral: found.referral } : {}) }, q.question.name.toLowerCase());
    if (this.extras.inject && found.kind === 'answer') sections = { ...sections, additionals: [...sections.additionals, ...this.extras.inject] };
    return { response: replyTo(q, found.rcode, (found.authoritative ? FLAG.AA : 0) | ra, sections), kind: found.kind };
  }

  /** Asks the delegated servers (RD=1, so they may recurse further) and relays their answer. */
  private async recurse(question: Question, servers: NameServer[], r: Recursion): Promise<{ response: Packet; server: NameServer } | undefined> {
    let sent = 0;
    return queryServers(servers, question, true, r.policy, r.deps, {
      judge: (response) => {
        const rcode = rcodeOf(response);
        const usable = rcode === RCODE.NOERROR || rcode === RCODE.NXDOMAIN;
        return { usable, outcome: usable ? kindOf(response) : rcodeName(rcode), value: undefined };
      },
      onAttempt: (a) => {
        sent++;
        r.log?.(`upstream server=${serverLabel(a.server)} qname=${a.question.name} qtype=${a.question.type} outcome=${a.outcome} ms=${Math.round(a.ms * 1000) / 1000} proto=${a.tcp ? 'tcp' : 'udp'}`);
      },
      mayQuery: () => sent < 20,
    });
  }

  private count(kind: string): void {
    if (kind in this.counters) this.counters[kind as keyof ServerCounters]++;
  }
}

/** How a relayed response reads in the query log. */
function kindOf(p: Packet): string {
  if (rcodeOf(p) === RCODE.NXDOMAIN) return 'nxdomain';
  if ((p.answers ?? []).length > 0) return 'answer';
  if (!hasFlag(p, FLAG.AA) && (p.authorities ?? []).some((a) => a.type === 'NS')) return 'referral';
  return 'nodata';
}
