// RRSIGs the resolver has seen, by owner and covered type, kept as long as their TTL: the
// validator checks cached RRsets with them and DO=1 clients get them with their answers.
import type { Answer } from 'dns-packet';
import { normalizeName } from '../names.js';
import { answerData, type RrsigData } from './wire.js';

interface Entry { sigs: Answer[]; expires: number }

export class SigCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  /** Stores the RRSIGs among `records`, grouped by owner and covered type (a newer set replaces an older one). */
  absorb(records: Answer[]): void {
    const groups = new Map<string, Answer[]>();
    for (const r of records) {
      if (r.type !== 'RRSIG') continue;
      const key = `${normalizeName(r.name)} ${answerData<RrsigData>(r).typeCovered}`;
      groups.set(key, [...(groups.get(key) ?? []), { ...r, name: normalizeName(r.name) } as Answer]);
    }
    for (const [key, sigs] of groups) {
      const ttl = Math.min(...sigs.map((s) => ('ttl' in s ? s.ttl ?? 0 : 0)));
      if (ttl > 0) this.entries.set(key, { sigs, expires: this.now() + ttl * 1000 });
    }
  }

  get(name: string, type: string): Answer[] {
    const key = `${name} ${type}`;
    const entry = this.entries.get(key);
    if (!entry) return [];
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return [];
    }
    // An RRSIG's TTL counts down with the RRset it covers (RFC 4035 §2.2: the same TTL).
    const left = Math.max(0, Math.floor((entry.expires - this.now()) / 1000));
    return entry.sigs.map((s) => ({ ...s, ttl: Math.min(left, 'ttl' in s ? s.ttl ?? left : left) }) as Answer);
  }

  evict(name: string, type: string): void {
    this.entries.delete(`${name} ${type}`);
  }

  flush(): void {
    this.entries.clear();
  }
}
