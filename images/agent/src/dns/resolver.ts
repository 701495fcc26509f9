// The local DNS server's resolution algorithm (RFC 1034 §5.3.3): answer from the cache when
// possible; otherwise start at the closest zone whose servers are cached (the root hints at
// worst), follow referrals down, resolve name-server names that came without glue, follow
// CNAMEs up to a bound, and cache what was learned, negative answers included (RFC 2308).
// In `recursive` mode every query goes with RD=1 to the forwarders instead. Pure over an
// injected transport, clock and randomness.
import type { Answer, Question, RecordType } from 'dns-packet';
import { DnsCache, RANK, type NegativeKind } from './cache.js';
import { canonical, classify, negativeTtl, type Classified } from './classify.js';
import type { ResolverSettings } from './config.js';
import { dataOf, FLAG, hasFlag, RCODE } from './message.js';
import { isAtOrBelow, normalizeName, selfAndAncestors } from './names.js';
import { ResolverStats } from './resolver-stats.js';
import type { CacheOutcome, LookupTrace } from './trace.js';
import { queryServers, serverLabel, type Attempt, type NameServer, type UpstreamDeps } from './upstream.js';
import { SigCache } from './dnssec/sig-cache.js';
import { ChainValidator } from './dnssec/validator.js';
import { checkLookup, rrsets } from './dnssec/check-answer.js';

export interface ResolverDeps extends UpstreamDeps {
  log?(line: string): void;
  /** Wall-clock seconds since the epoch, for RRSIG validity periods. */
  epochSeconds?(): number;
}

export interface Resolution {
  rcode: number;
  kind: End['kind'];
  answers: Answer[];
  authorities: Answer[];
  trace: LookupTrace;
  /** Why the lookup failed (SERVFAIL), for the log. */
  reason?: string;
  /** DNSSEC: validated secure (AD=1). */
  secure: boolean;
  /** The RRSIGs of the returned RRsets (the proof's included), for DO=1 clients. */
  sigs: Answer[];
  /** A negative answer's NSEC records (RFC 4035 §3.1.3), for DO=1 clients' authority section. */
  proof: Answer[];
}

type End =
  | { kind: 'answer'; records: Answer[] }
  | { kind: 'cname'; target: string }
  | { kind: NegativeKind; soa?: Answer; nsec?: Answer[] }
  | { kind: 'servfail'; reason: string }
  /** RD=0 and not cached: the closest servers we know of. */
  | { kind: 'referral'; ns: Answer[] };

interface Step { chain: Answer[]; end: End }

interface Lookup { queries: number; servers: string[]; resolving: Set<string>; cacheOnly: boolean }

interface NsSet { zone: string; names: string[]; glue: Map<string, string[]> }

/** Upstream queries one client lookup may cost at most (Unbound's limit is of this order). */
const MAX_QUERIES = 100;
const MAX_REFERRALS = 16;
/** Nesting of "resolve the name server's name first". */
const MAX_DEPTH = 4;
/** A server that timed out is tried last for this long (unless the cache is flushed). */
const DEAD_SERVER_MS = 60_000;

const servfail = (reason: string): Step => ({ chain: [], end: { kind: 'servfail', reason } });
const round = (ms: number) => Math.round(ms * 1000) / 1000;

export class Resolver {
  readonly cache: DnsCache;
  readonly stats = new ResolverStats();
  readonly sigs: SigCache;
  private readonly deadUntil = new Map<string, number>();
  private readonly validator?: ChainValidator;

  constructor(private readonly config: ResolverSettings, private readonly deps: ResolverDeps) {
    this.cache = new DnsCache(config.cacheSize, () => deps.now());
    this.sigs = new SigCache(() => deps.now());
    const anchor = config.trustAnchor;
    if (config.validate && anchor) {
      this.validator = new ChainValidator({ flags: anchor.flags, algorithm: anchor.algorithm, key: Buffer.from(anchor.key, 'base64') }, {
        lookup: (name, type) => this.fetchForValidation(name, type),
        zoneOf: (name) => selfAndAncestors(name).find((z) => z !== '.' && this.cache.get(z, 'NS') !== undefined) ?? '.',
        now: () => Math.floor(deps.epochSeconds?.() ?? Date.now() / 1000),
      });
    }
  }

  /** Empties the cache and forgets which servers were dead: the next lookups start cold. */
  flush(): number {
    this.deadUntil.clear();
    this.sigs.flush();
    this.validator?.flush();
    return this.cache.flush();
  }

  async resolve(qname: string, qtype: string, options: { recurse?: boolean; checkingDisabled?: boolean } = {}): Promise<Resolution> {
    const started = this.deps.now();
    const ctx: Lookup = { queries: 0, servers: [], resolving: new Set(), cacheOnly: options.recurse === false };
    const followed = await this.follow(normalizeName(qname), qtype, ctx, 0);
    const { chain } = followed;
    let { end } = followed;
    const denied = end.kind === 'nxdomain' || end.kind === 'nodata' ? end : undefined;
    const proof = denied?.nsec ?? [];
    const lastName = chain.length > 0 ? normalizeName(dataOf(chain[chain.length - 1]!) as string) : normalizeName(qname);
    const returned = [...chain, ...(end.kind === 'answer' ? end.records : [])];
    let secure = false;
    // CD=1 (RFC 4035 §3.2.2): the client validates itself; give it the data as it came.
    if (this.validator && !options.checkingDisabled && ['answer', 'nxdomain', 'nodata', 'cname'].includes(end.kind)) {
      const denial = denied && { kind: denied.kind, name: lastName, type: qtype, soa: denied.soa, nsec: proof };
      const verdict = await checkLookup(this.validator, returned, denial, (n, t) => this.sigs.get(n, t));
      secure = verdict.status === 'secure';
      if (verdict.status === 'bogus') {
        // Bogus data never stays: the next lookup fetches it afresh (and a forged answer is gone).
        for (const set of rrsets(returned)) this.cache.evict(normalizeName(set[0]!.name), set[0]!.type);
        if (denied) this.cache.evictNegative(lastName, qtype);
        end = { kind: 'servfail', reason: `DNSSEC bogus: ${verdict.reason}` };
      }
    }
    const signedSets = rrsets([...returned, ...(denied?.soa ? [denied.soa] : []), ...proof]);
    const sigs = end.kind === 'servfail' ? [] : signedSets.flatMap((set) => this.sigs.get(normalizeName(set[0]!.name), set[0]!.type));
    const negative = end.kind === 'nxdomain' || end.kind === 'nodata';
    const cache: CacheOutcome = ctx.queries > 0 || end.kind === 'referral' || end.kind === 'servfail' ? 'miss' : negative ? 'negative-hit' : 'hit';
    this.stats.lookup(cache, end.kind === 'servfail');
    const trace = { cache, queries: ctx.queries, servers: ctx.servers, ms: round(this.deps.now() - started) };
    const base = { kind: end.kind, trace, answers: chain, authorities: [] as Answer[], secure, sigs, proof: end.kind === 'servfail' ? [] : proof };
    switch (end.kind) {
      case 'answer': return { ...base, rcode: RCODE.NOERROR, answers: [...chain, ...end.records] };
      case 'nxdomain': return { ...base, rcode: RCODE.NXDOMAIN, authorities: end.soa ? [end.soa] : [] };
      case 'nodata': return { ...base, rcode: RCODE.NOERROR, authorities: end.soa ? [end.soa] : [] };
      case 'referral': return { ...base, rcode: RCODE.NOERROR, authorities: end.ns };
      case 'cname': return { ...base, rcode: RCODE.NOERROR };
      case 'servfail': return { ...base, rcode: RCODE.SERVFAIL, answers: [], reason: end.reason };
    }
  }

  /** Resolves `name`, following CNAMEs from one step to the next within the configured bound. */
  private async follow(name: string, qtype: string, ctx: Lookup, depth: number): Promise<Step> {
    const chain: Answer[] = [];
    const seen = new Set([name]);
    for (let current = name; ; ) {
      const step = this.fromCache(current, qtype) ?? (await this.fetch(current, qtype, ctx, depth));
      chain.push(...step.chain);
      if (chain.length > this.config.maxCnameChain) return servfail(`CNAME chain from ${name} is longer than ${this.config.maxCnameChain}`);
      if (step.end.kind !== 'cname') return { chain, end: step.end };
      if (seen.has(step.end.target)) return servfail(`CNAME loop at ${step.end.target}`);
      seen.add(step.end.target);
      current = step.end.target;
    }
  }

  private fromCache(name: string, qtype: string): Step | undefined {
    const records = this.cache.get(name, qtype);
    if (records) return { chain: [], end: { kind: 'answer', records } };
    const negative = this.cache.getNegative(name, qtype);
    if (negative) return { chain: [], end: negative };
    const cname = qtype === 'CNAME' ? undefined : this.cache.get(name, 'CNAME')?.[0];
    if (cname) return { chain: [cname], end: { kind: 'cname', target: dataOf(cname) as string } };
    return undefined;
  }

  private fetch(name: string, qtype: string, ctx: Lookup, depth: number): Promise<Step> {
    if (ctx.cacheOnly) return Promise.resolve({ chain: [], end: { kind: 'referral', ns: this.closestServers(name, qtype).records } });
    return this.config.mode === 'recursive' ? this.forward(name, qtype, ctx) : this.iterate(name, qtype, ctx, depth);
  }

  private async forward(name: string, qtype: string, ctx: Lookup): Promise<Step> {
    const servers = this.config.forwarders.map((address) => ({ name: address, address }));
    const got = await this.exchange(servers, '.', name, qtype, ctx, true);
    if (!got) return servfail(`no forwarder (${this.config.forwarders.join(', ')}) answered ${name} ${qtype}`);
    if (got.classified.kind === 'referral') return servfail(`forwarder answered with a referral`);
    return this.absorb(got.classified, got.authoritative, qtype);
  }

  private async iterate(name: string, qtype: string, ctx: Lookup, depth: number): Promise<Step> {
    let ns = this.closestServers(name, qtype).set;
    for (let hop = 0; hop < MAX_REFERRALS; hop++) {
      const got = await this.ask(ns, name, qtype, ctx, depth);
      if (!got) return servfail(`no server of zone "${ns.zone}" (${ns.names.join(', ')}) answered ${name} ${qtype}`);
      const c = got.classified;
      if (c.kind !== 'referral') return this.absorb(c, got.authoritative, qtype);
      this.cache.put(c.ns, RANK.glue);
      const glue = new Map<string, string[]>();
      for (const a of c.glue) glue.set(a.name, [...(glue.get(a.name) ?? []), dataOf(a) as string]);
      for (const [host] of glue) this.cache.put(c.glue.filter((a) => a.name === host), RANK.glue);
      ns = { zone: c.zone, names: c.ns.map((r) => dataOf(r) as string), glue };
    }
    return servfail(`more than ${MAX_REFERRALS} referrals for ${name}`);
  }

  /** Caches an answer, CNAME or negative response and turns it into a step. */
  private absorb(c: Exclude<Classified, { kind: 'referral' | 'lame' | 'failure' }>, authoritative: boolean, qtype: string): Step {
    const rank = authoritative ? RANK.authoritative : RANK.answer;
    for (const cname of c.chain) this.cache.put([cname], rank);
    if (c.kind === 'answer') {
      // One RRset per owner and type (an ANY answer holds several).
      const sets = new Map<string, Answer[]>();
      for (const r of c.records) sets.set(`${r.name} ${r.type}`, [...(sets.get(`${r.name} ${r.type}`) ?? []), r]);
      for (const set of sets.values()) this.cache.put(set, rank);
      return { chain: c.chain, end: { kind: 'answer', records: c.records } };
    }
    if (c.kind === 'cname') return { chain: c.chain, end: { kind: 'cname', target: c.target } };
    const ttl = negativeTtl(c.soa);
    if (this.config.negativeCache && ttl !== undefined) this.cache.putNegative(c.kind, c.name, qtype, c.soa, ttl, c.nsec);
    return { chain: c.chain, end: { kind: c.kind, soa: c.soa, nsec: c.nsec } };
  }

  /** The deepest zone above `name` whose name servers are cached; the root hints when none is. */
  private closestServers(name: string, qtype: string): { set: NsSet; records: Answer[] } {
    for (const zone of selfAndAncestors(name)) {
      if (zone === '.' || (zone === name && qtype === 'DS')) continue;
      const records = this.cache.get(zone, 'NS');
      if (records) return { set: { zone, names: records.map((r) => dataOf(r) as string), glue: new Map() }, records };
    }
    const hints = this.config.rootHints;
    const glue = new Map(hints.map((h) => [h.name, [h.address]]));
    const records = hints.map((h) => canonical({ name: '.', type: 'NS', ttl: 0, data: h.name }));
    return { set: { zone: '.', names: hints.map((h) => h.name), glue }, records };
  }

  /** Asks the zone's servers: those with known addresses first, then those whose names must be resolved, one by one. */
  private async ask(ns: NsSet, name: string, qtype: string, ctx: Lookup, depth: number) {
    const known: NameServer[] = [];
    const unresolved: string[] = [];
    for (const host of new Set(ns.names)) {
      const addresses = ns.glue.get(host) ?? this.cache.get(host, 'A')?.map((a) => dataOf(a) as string) ?? [];
      if (addresses.length === 0) unresolved.push(host);
      for (const address of addresses) known.push({ name: host, address });
    }
    const now = this.deps.now();
    const alive = (s: NameServer) => (this.deadUntil.get(s.address) ?? 0) <= now;
    const ordered = [...known.filter(alive), ...known.filter((s) => !alive(s))];
    const got = ordered.length > 0 ? await this.exchange(ordered, ns.zone, name, qtype, ctx, false) : undefined;
    if (got) return got;
    for (const host of unresolved) {
      if (depth >= MAX_DEPTH || ctx.resolving.has(host)) continue;
      ctx.resolving.add(host);
      const found = await this.follow(host, 'A', ctx, depth + 1);
      ctx.resolving.delete(host);
      if (found.end.kind !== 'answer') continue;
      const servers = found.end.records.map((a) => ({ name: host, address: dataOf(a) as string }));
      const answered = await this.exchange(servers, ns.zone, name, qtype, ctx, false);
      if (answered) return answered;
    }
    return undefined;
  }

  private async exchange(servers: NameServer[], zone: string, name: string, qtype: string, ctx: Lookup, rd: boolean) {
    const question: Question = { name, type: qtype as RecordType, class: 'IN' };
    // With bailiwick checking off, anything any server says is believed (pre-1997 resolvers).
    const bailiwick = this.config.bailiwick ? zone : '.';
    const got = await queryServers(servers, question, rd, this.config, this.deps, {
      judge: (response) => {
        const value = classify(response, name, qtype, bailiwick);
        const usable = value.kind !== 'lame' && value.kind !== 'failure' && !(rd && value.kind === 'referral');
        const outcome = value.kind === 'failure' ? value.rcode : value.kind === 'lame' ? `lame(${value.reason})` : value.kind;
        return { usable, outcome: rd && value.kind === 'referral' ? 'referral(forwarder does not recurse)' : outcome, value };
      },
      onAttempt: (a) => this.onAttempt(a, ctx),
      mayQuery: () => ctx.queries < MAX_QUERIES,
    });
    const classified = got?.value;
    if (!got || !classified || classified.kind === 'lame' || classified.kind === 'failure') return undefined; // (judged unusable: never returned)
    this.deadUntil.delete(got.server.address);
    const all = [...(got.response.answers ?? []), ...(got.response.authorities ?? []), ...(got.response.additionals ?? [])].map(canonical);
    this.sigs.absorb(all.filter((a) => a.type === 'RRSIG' && (!this.config.bailiwick || isAtOrBelow(a.name, zone))));
    if (!this.config.bailiwick) {
      // The vulnerability the lecture names: "additional" records about any name go into the cache.
      const extra = all.filter((a) => (a.type === 'A' || a.type === 'AAAA' || a.type === 'NS') && !(a.name === name && a.type === qtype));
      for (const set of rrsets(extra)) this.cache.put(set, RANK.glue);
    }
    return { classified, authoritative: hasFlag(got.response, FLAG.AA) };
  }

  /** DS and DNSKEY sets for the validator, resolved like any lookup (cache first). */
  private async fetchForValidation(name: string, type: string) {
    const ctx: Lookup = { queries: 0, servers: [], resolving: new Set(), cacheOnly: false };
    const { end } = await this.follow(name, type, ctx, 0);
    if (end.kind === 'answer') return { records: end.records, sigs: this.sigs.get(name, type) };
    if (end.kind === 'nxdomain' || end.kind === 'nodata') {
      const nsec = end.nsec ?? [];
      const sigs = [...(end.soa ? [end.soa] : []), ...nsec].flatMap((r) => this.sigs.get(normalizeName(r.name), r.type));
      return { negative: true as const, kind: end.kind, name, type, soa: end.soa, nsec, sigs };
    }
    return { failed: end.kind === 'servfail' ? end.reason : end.kind };
  }

  private onAttempt(a: Attempt, ctx: Lookup): void {
    const label = serverLabel(a.server);
    ctx.queries++;
    ctx.servers.push(label);
    this.stats.upstream(label, a.outcome === 'timeout');
    if (a.outcome === 'timeout') this.deadUntil.set(a.server.address, this.deps.now() + DEAD_SERVER_MS);
    const proto = a.tcp ? 'tcp' : 'udp';
    this.deps.log?.(`upstream server=${label} qname=${a.question.name} qtype=${a.question.type} outcome=${a.outcome} ms=${round(a.ms)} proto=${proto}`);
  }
}
