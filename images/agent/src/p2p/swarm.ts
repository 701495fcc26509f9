// A peer's part in one swarm: what it asks whom for (the picker), whom it uploads to (the
// choker), piece verification, and the record of what happened (per neighbour bytes, unchokes,
// piece arrivals). Sockets come from the session (session.ts); everything here reacts to
// messages and to the choke timer.
import { pieceBytes } from '../../../../orchestrator/p2p/content.js';
import type { Metainfo } from '../../../../orchestrator/p2p/metainfo.js';
import { createHash } from 'node:crypto';
import { Bitfield } from './bitfield.js';
import { Choker } from './choker.js';
import { blockKey, PeerConnection } from './connection.js';
import { PiecePicker, type Block } from './picker.js';
import type { Message } from './wire.js';

export interface SwarmOptions {
  meta: Metainfo;
  contentSeed: number;
  seeding: boolean;
  slots: number;
  rechokeMs: number;
  optimisticMs: number;
  /** Requests kept in flight per neighbour, at least (more for fast neighbours, see depth()). */
  pipeline: number;
  now: () => number;
  random: () => number;
  log: (line: string) => void;
  /** Called once when the last piece is verified. */
  onComplete: () => void;
}

export interface NeighbourStats { down: number; up: number; unchokes: number; optimistic: number }

export interface SwarmStats {
  pieces: number;
  have: number;
  completedAt?: number;
  neighbours: Record<string, NeighbourStats>;
  pieceLog: { index: number; at: number; from: string }[];
  unchokeLog: { at: number; to: string; optimistic: boolean }[];
  hashFailures: number;
  /** Bytes received twice (endgame copies, blocks already in flight when cancelled or choked). */
  duplicateBytes: number;
}

/** Seconds of data kept requested from a neighbour: the links' queues hold ~0.1 s each way. */
const QUEUE_SECONDS = 0.5;
const MAX_DEPTH = 64;
const CHOKE_GRACE_MS = 300;

export class Swarm {
  readonly picker: PiecePicker;
  readonly conns = new Set<PeerConnection>();
  private readonly storage: Buffer;
  private readonly choker: Choker;
  private windowStart: number;
  private readonly stats: SwarmStats;

  constructor(private readonly o: SwarmOptions) {
    this.picker = new PiecePicker({ pieceLength: o.meta.pieceLength, length: o.meta.length, random: o.random });
    this.storage = Buffer.alloc(o.meta.length);
    if (o.seeding) {
      for (let i = 0; i < this.picker.pieces; i++) {
        pieceBytes(o.contentSeed, o.meta.length, o.meta.pieceLength, i).copy(this.storage, i * o.meta.pieceLength);
        this.picker.have.set(i);
      }
    }
    this.choker = new Choker({ slots: o.slots, rechokeMs: o.rechokeMs, optimisticMs: o.optimisticMs, now: o.now, random: o.random });
    this.windowStart = o.now();
    this.stats = { pieces: this.picker.pieces, have: this.picker.have.cardinality, neighbours: {}, pieceLog: [], unchokeLog: [], hashFailures: 0, duplicateBytes: 0 };
  }

  get completedAt(): number | undefined {
    return this.stats.completedAt;
  }

  get complete(): boolean {
    return this.picker.have.complete;
  }

  get left(): number {
    let left = 0;
    for (let i = 0; i < this.picker.pieces; i++) if (!this.picker.have.has(i)) left += this.picker.pieceSize(i);
    return left;
  }

  snapshot(): SwarmStats {
    return { ...this.stats, have: this.picker.have.cardinality, neighbours: structuredClone(this.stats.neighbours) };
  }

  private neighbour(c: PeerConnection): NeighbourStats {
    return (this.stats.neighbours[c.name] ??= { down: 0, up: 0, unchokes: 0, optimistic: 0 });
  }

  /** A neighbour finished its handshake: tell it what we have. */
  added(c: PeerConnection): void {
    this.conns.add(c);
    this.neighbour(c);
    if (this.picker.have.cardinality > 0) c.send({ type: 'bitfield', bits: this.picker.have.bytes });
  }

  removed(c: PeerConnection): void {
    if (!this.conns.delete(c)) return;
    this.picker.peerHas(c.bits, -1);
    for (const b of c.requests.values()) this.picker.unrequest(b);
    c.requests.clear();
    this.fillAll();
    this.rechoke();
  }

  message(c: PeerConnection, m: Message): void {
    switch (m.type) {
      case 'bitfield':
        try {
          this.picker.peerHas(c.bits, -1);
          c.bits = new Bitfield(this.picker.pieces, m.bits);
          this.picker.peerHas(c.bits);
        } catch {
          return c.close();
        }
        return this.updateInterest(c);
      case 'have':
        if (m.index >= this.picker.pieces) return c.close();
        if (c.bits.set(m.index)) this.picker.peerHasPiece(m.index);
        return this.updateInterest(c);
      case 'interested':
      case 'not-interested':
        c.peerInterested = m.type === 'interested';
        return this.rechoke();
      case 'choke':
        // The neighbour drops our requests, but blocks it had already written are still on
        // their way: give them a moment before asking others (asking at once doubles them).
        c.peerChoking = true;
        c.chokes++;
        return void setTimeout(() => this.abandon(c, c.chokes), CHOKE_GRACE_MS);
      case 'unchoke':
        c.peerChoking = false;
        // What it dropped when it choked us and has not arrived since is asked again.
        for (const b of c.requests.values()) c.send({ type: 'request', ...b });
        return this.fill(c);
      case 'request':
        if (!c.amChoking && this.valid(m) && this.picker.have.has(m.index)) c.queue.push({ index: m.index, begin: m.begin, length: m.length });
        return this.pump(c);
      case 'cancel':
        c.queue = c.queue.filter((b) => !(b.index === m.index && b.begin === m.begin));
        return;
      case 'piece':
        return this.block(c, m.index, m.begin, m.block);
      default:
        return; // keep-alive, and ids BEP 3 does not define
    }
  }

  /** Still choked since choke number `chokes`: its unanswered requests go back to the picker. */
  private abandon(c: PeerConnection, chokes: number): void {
    if (!c.peerChoking || c.chokes !== chokes || c.requests.size === 0) return;
    for (const b of c.requests.values()) this.picker.unrequest(b);
    c.requests.clear();
    this.fillAll();
  }

  private valid(b: Block): boolean {
    return b.index < this.picker.pieces && b.length > 0 && b.length <= 131072 && b.begin + b.length <= this.picker.pieceSize(b.index);
  }

  /** Uploads what a neighbour asked for, a block at a time, as its socket drains. */
  pump(c: PeerConnection): void {
    while (!c.amChoking && c.queue.length > 0 && !c.congested && c.open) {
      const b = c.queue.shift()!;
      const at = b.index * this.o.meta.pieceLength + b.begin;
      c.send({ type: 'piece', index: b.index, begin: b.begin, block: this.storage.subarray(at, at + b.length) });
      c.windowUp += b.length;
      this.neighbour(c).up += b.length;
    }
  }

  private block(c: PeerConnection, index: number, begin: number, data: Buffer): void {
    const b = { index, begin, length: data.length };
    if (!this.valid(b)) return c.close();
    c.requests.delete(blockKey(b));
    c.windowDown += data.length;
    c.received(data.length, this.o.now());
    this.neighbour(c).down += data.length;
    const result = this.picker.received(b);
    if (result === 'dup') this.stats.duplicateBytes += data.length;
    else {
      data.copy(this.storage, index * this.o.meta.pieceLength + begin);
      // Endgame: the copies asked of others are no longer wanted.
      for (const other of this.conns) {
        if (other !== c && other.requests.delete(blockKey(b))) {
          other.send({ type: 'cancel', ...b });
          this.picker.unrequest(b);
        }
      }
      if (result === 'piece') this.verify(index, c.name);
    }
    this.fill(c);
    if (c.requests.size < this.depth(c)) this.fillAll();
  }

  /**
   * Requests to keep in flight: enough for QUEUE_SECONDS at the rate this neighbour sends at, so
   * a fast one is never idle waiting for our next request behind the links' queues, and a slow
   * one does not hold blocks others could send sooner.
   */
  private depth(c: PeerConnection): number {
    return Math.min(MAX_DEPTH, Math.max(this.o.pipeline, Math.ceil((c.rateDown * QUEUE_SECONDS) / 16384)));
  }

  private verify(index: number, from: string): void {
    const at = index * this.o.meta.pieceLength;
    const ok = createHash('sha1').update(this.storage.subarray(at, at + this.picker.pieceSize(index))).digest().equals(this.o.meta.pieces[index]!);
    this.picker.verified(index, ok);
    if (!ok) {
      this.stats.hashFailures++;
      this.o.log(`piece ${index} from ${from} failed its SHA-1 check; asking again`);
      return;
    }
    this.stats.pieceLog.push({ index, at: this.o.now(), from });
    for (const c of this.conns) {
      if (!c.bits.has(index)) c.send({ type: 'have', index });
      this.updateInterest(c);
    }
    if (this.complete) {
      this.stats.completedAt = this.o.now();
      this.o.onComplete();
    }
  }

  /** Interested exactly when the neighbour has a piece we lack; two complete peers part. */
  private updateInterest(c: PeerConnection): void {
    if (this.complete && c.bits.complete) return c.close();
    const want = this.picker.interesting(c.bits);
    if (want !== c.amInterested) {
      c.amInterested = want;
      c.send({ type: want ? 'interested' : 'not-interested' });
    }
    this.fill(c);
  }

  fill(c: PeerConnection): void {
    if (c.peerChoking || !c.amInterested || !c.open) return;
    const depth = this.depth(c);
    while (c.requests.size < depth) {
      // Endgame copies go only to a neighbour that would otherwise sit idle, one at a time.
      const b = this.picker.next(c.bits, (x) => c.requests.has(blockKey(x)), c.requests.size === 0);
      if (!b) return;
      c.requests.set(blockKey(b), b);
      c.send({ type: 'request', ...b });
    }
  }

  private fillAll(): void {
    for (const c of this.conns) this.fill(c);
  }

  /** Tit-for-tat: called by the session's timer and whenever interest changes. */
  rechoke(): void {
    const now = this.o.now();
    const seconds = Math.max(0.001, (now - this.windowStart) / 1000);
    const shaken = [...this.conns].filter((c) => c.open);
    // A seeder has nothing to reciprocate: it ranks neighbours by how little it has sent them
    // (round-robin seeding, as libtorrent does), so the first copies spread over the whole
    // swarm and every peer soon has pieces to trade, instead of feeding the same four.
    const rate = (c: PeerConnection) => (this.complete ? -this.neighbour(c).up : c.windowDown / seconds);
    const decision = this.choker.decide(shaken.map((c) => ({ id: c.name, interested: c.peerInterested, rate: rate(c) })));
    if (decision.rechoked) {
      this.windowStart = now;
      for (const c of shaken) c.windowDown = c.windowUp = 0;
    }
    for (const c of shaken) {
      const unchoke = decision.unchoked.has(c.name);
      if (unchoke && c.amChoking) {
        c.amChoking = false;
        c.send({ type: 'unchoke' });
        const optimistic = decision.optimistic === c.name;
        const n = this.neighbour(c);
        n.unchokes++;
        if (optimistic) n.optimistic++;
        this.stats.unchokeLog.push({ at: now, to: c.name, optimistic });
        this.pump(c);
      } else if (!unchoke && !c.amChoking) {
        c.amChoking = true;
        c.queue = []; // BEP 3: a choke discards the neighbour's pending requests
        c.send({ type: 'choke' });
      }
    }
  }
}
