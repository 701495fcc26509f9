// Whom we upload to (the lecture's tit-for-tat): every `rechokeMs` (10 s) the `slots` (4)
// interested peers that send to us fastest are unchoked, the rest choked; every `optimisticMs`
// (30 s) one more interested peer, chosen at random among the choked, is unchoked whatever its
// rate — the "optimistic unchoke" that lets a newcomer prove itself and join the top four. Between
// periods a slot left by a peer that lost interest or went away is refilled by rank, so upload
// capacity is not left idle. A seeder ranks by what the swarm passes it (swarm.ts: least served first). Pure: the
// clock and the random source are injected.

export interface ChokerPeer {
  id: string;
  interested: boolean;
  /** Higher ranks first: bytes/s received from it over the last period (a seeder passes minus what it has sent it). */
  rate: number;
}

export interface ChokerOptions {
  slots: number;
  rechokeMs: number;
  optimisticMs: number;
  now: () => number;
  random: () => number;
}

export interface ChokeDecision {
  unchoked: Set<string>;
  /** The regular (tit-for-tat) slots, best first. */
  regular: string[];
  optimistic?: string;
  /** Whether this call re-ranked the regular slots / rotated the optimistic one. */
  rechoked: boolean;
  rotated: boolean;
}

export class Choker {
  private regular: string[] = [];
  private optimistic: string | undefined;
  private nextRechoke = -Infinity;
  private nextRotation = -Infinity;

  constructor(private readonly o: ChokerOptions) {}

  decide(peers: ChokerPeer[]): ChokeDecision {
    const now = this.o.now();
    const interested = peers.filter((p) => p.interested);
    const byId = new Map(interested.map((p) => [p.id, p]));
    // Ties (everyone at 0 at the start) are broken at random, not by connection order.
    const ranked = interested.map((p) => ({ p, tie: this.o.random() })).sort((a, b) => b.p.rate - a.p.rate || a.tie - b.tie).map((x) => x.p.id);
    const rechoked = now >= this.nextRechoke;
    if (rechoked) {
      // The optimistic peer competes too: if it reciprocated, it joins the top `slots`.
      this.regular = ranked.slice(0, this.o.slots);
      this.nextRechoke = now + this.o.rechokeMs;
    } else {
      this.regular = this.regular.filter((id) => byId.has(id));
      for (const id of ranked) {
        if (this.regular.length >= this.o.slots) break;
        if (!this.regular.includes(id) && id !== this.optimistic) this.regular.push(id);
      }
    }
    let rotated = false;
    const gone = this.optimistic !== undefined && !byId.has(this.optimistic);
    const promoted = this.optimistic !== undefined && this.regular.includes(this.optimistic);
    if (now >= this.nextRotation || gone || promoted || this.optimistic === undefined) {
      const choked = interested.filter((p) => !this.regular.includes(p.id) && (p.id !== this.optimistic || interested.length - this.regular.length === 1));
      const previous = this.optimistic;
      this.optimistic = choked.length > 0 ? choked[Math.floor(this.o.random() * choked.length)]!.id : undefined;
      if (now >= this.nextRotation || previous === undefined) this.nextRotation = now + this.o.optimisticMs;
      rotated = this.optimistic !== previous;
    }
    const unchoked = new Set(this.regular);
    if (this.optimistic) unchoked.add(this.optimistic);
    return { unchoked, regular: [...this.regular], ...(this.optimistic ? { optimistic: this.optimistic } : {}), rechoked, rotated };
  }
}
