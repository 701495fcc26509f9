// The resolver's cache: RRsets and negative answers (RFC 2308), each until its TTL runs out on
// the injected clock, least recently used evicted beyond `capacity`. What comes out carries the
// remaining TTL, so a client sees it count down (RFC 1035 §7.4).
import type { Answer } from 'dns-packet';

/** How much a cached RRset is trusted (RFC 2181 §5.4.1): an authoritative answer is not replaced by glue. */
export const RANK = { glue: 1, answer: 2, authoritative: 3 } as const;
export type Rank = (typeof RANK)[keyof typeof RANK];

export type NegativeKind = 'nxdomain' | 'nodata';

/** A week: longer TTLs are legal but let one bad record linger (BIND's max-cache-ttl is the same). */
const MAX_TTL = 7 * 24 * 3600;
/** RFC 2308 §5: negative answers are kept at most hours; three is BIND's max-ncache-ttl. */
const MAX_NEGATIVE_TTL = 3 * 3600;

interface RRsetEntry { kind: 'rrset'; records: Answer[]; expires: number; rank: Rank; turn: number }
interface NegativeEntry { kind: NegativeKind; soa?: Answer; nsec: Answer[]; expires: number }
type Entry = RRsetEntry | NegativeEntry;

const rrsetKey = (name: string, type: string) => `${name} ${type}`;
const nodataKey = (name: string, type: string) => `${name} ${type} -`;
const nxdomainKey = (name: string) => `${name} * -`;

export class DnsCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number, private readonly now: () => number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Caches one RRset (records of one owner name and type, names in canonical form). */
  put(records: Answer[], rank: Rank): void {
    const first = records[0];
    if (!first || first.type === 'OPT') return;
    const ttl = Math.min(MAX_TTL, ...records.map((r) => ('ttl' in r ? r.ttl ?? 0 : 0)));
    if (ttl <= 0) return;
    const key = rrsetKey(first.name, first.type);
    const old = this.live(key);
    if (old?.kind === 'rrset' && old.rank > rank) return;
    this.store(key, { kind: 'rrset', records, expires: this.now() + ttl * 1000, rank, turn: 0 });
    // Positive data for a name ends what we believed about its non-existence.
    this.entries.delete(nxdomainKey(first.name));
    this.entries.delete(nodataKey(first.name, first.type));
  }

  /** Caches a negative answer with the NSEC records that proved it (DNSSEC), returned with it. */
  putNegative(kind: NegativeKind, name: string, type: string, soa: Answer | undefined, ttlSeconds: number, nsec: Answer[] = []): void {
    const ttl = Math.min(MAX_NEGATIVE_TTL, ttlSeconds);
    if (ttl <= 0) return;
    this.store(kind === 'nxdomain' ? nxdomainKey(name) : nodataKey(name, type), { kind, soa, nsec, expires: this.now() + ttl * 1000 });
  }

  /** The RRset with remaining TTLs, rotated one step per read (round-robin across clients), or undefined. */
  get(name: string, type: string): Answer[] | undefined {
    const entry = this.live(rrsetKey(name, type));
    if (entry?.kind !== 'rrset') return undefined;
    const ttl = this.remaining(entry.expires);
    const k = entry.turn++ % entry.records.length;
    const rotated = [...entry.records.slice(k), ...entry.records.slice(0, k)];
    return rotated.map((r) => ({ ...r, ttl }) as Answer);
  }

  getNegative(name: string, type: string): { kind: NegativeKind; soa?: Answer; nsec: Answer[] } | undefined {
    const entry = this.live(nxdomainKey(name)) ?? this.live(nodataKey(name, type));
    if (!entry || entry.kind === 'rrset') return undefined;
    const ttl = this.remaining(entry.expires);
    const soa = entry.soa ? ({ ...entry.soa, ttl } as Answer) : undefined;
    return { kind: entry.kind, soa, nsec: entry.nsec.map((r) => ({ ...r, ttl }) as Answer) };
  }

  /** Drops a negative answer (a validator found it bogus). */
  evictNegative(name: string, type: string): void {
    this.entries.delete(nxdomainKey(name));
    this.entries.delete(nodataKey(name, type));
  }

  /** Drops one RRset (a validator found it bogus). */
  evict(name: string, type: string): void {
    this.entries.delete(rrsetKey(name, type));
  }

  /** Empties the cache; returns how many entries there were. */
  flush(): number {
    const n = this.entries.size;
    this.entries.clear();
    return n;
  }

  private remaining(expires: number): number {
    return Math.max(0, Math.floor((expires - this.now()) / 1000));
  }

  /** The entry if it has not expired, marked most recently used. */
  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expires <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  private store(key: string, entry: Entry): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
