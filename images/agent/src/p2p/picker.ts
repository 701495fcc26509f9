// Which block to ask a peer for next (the lecture's "rarest first"): pieces already started
// are finished first (strict priority, so partial pieces do not pile up); the very first piece
// is chosen at random (a rare piece would be slow to get, and any piece makes us useful to
// trade with); then the piece fewest neighbours have, ties broken at random; once every missing
// block has been asked for, endgame: the outstanding blocks are asked of other peers too, and
// the caller cancels the copies once one arrives. Pure and seeded: tested without sockets.
import { Bitfield } from './bitfield.js';
import { BLOCK_SIZE } from './wire.js';

export interface Block { index: number; begin: number; length: number }

export interface PickerOptions {
  pieceLength: number;
  length: number;
  random: () => number;
  /** Complete pieces held before rarest first takes over (BitTorrent: 1). */
  randomFirst?: number;
}

/** In endgame a block is asked of at most this many neighbours at once: copies cost upload capacity. */
export const ENDGAME_COPIES = 2;

interface Progress { got: Uint8Array; requests: Uint16Array }

export class PiecePicker {
  readonly pieces: number;
  readonly have: Bitfield;
  /** How many connected peers have each piece. */
  readonly availability: Uint16Array;
  private readonly started = new Map<number, Progress>();
  private readonly randomFirst: number;

  constructor(private readonly o: PickerOptions) {
    this.pieces = Math.ceil(o.length / o.pieceLength);
    this.have = new Bitfield(this.pieces);
    this.availability = new Uint16Array(this.pieces);
    this.randomFirst = o.randomFirst ?? 1;
  }

  pieceSize(index: number): number {
    return Math.min(this.o.pieceLength, this.o.length - index * this.o.pieceLength);
  }

  blocksIn(index: number): number {
    return Math.ceil(this.pieceSize(index) / BLOCK_SIZE);
  }

  private blockAt(index: number, b: number): Block {
    const begin = b * BLOCK_SIZE;
    return { index, begin, length: Math.min(BLOCK_SIZE, this.pieceSize(index) - begin) };
  }

  peerHas(bits: Bitfield, delta = 1): void {
    for (let i = 0; i < this.pieces; i++) if (bits.has(i)) this.availability[i] = this.availability[i]! + delta;
  }

  peerHasPiece(index: number): void {
    this.availability[index] = this.availability[index]! + 1;
  }

  /** Whether a peer with these pieces has one we lack. */
  interesting(bits: Bitfield): boolean {
    for (let i = 0; i < this.pieces; i++) if (bits.has(i) && !this.have.has(i)) return true;
    return false;
  }

  /** In endgame: every block we lack has been asked for at least once. */
  get endgame(): boolean {
    for (let i = 0; i < this.pieces; i++) {
      if (this.have.has(i)) continue;
      const p = this.started.get(i);
      if (!p) return false;
      for (let b = 0; b < p.got.length; b++) if (!p.got[b] && p.requests[b] === 0) return false;
    }
    return true;
  }

  /**
   * The next block to request from a peer that has `bits`, marked as requested; undefined when it
   * has nothing we still need. `asked(block)` says whether this peer already has it requested;
   * `copies: false` refuses endgame copies (the neighbour still has requests to answer).
   */
  next(bits: Bitfield, asked: (b: Block) => boolean, copies = true): Block | undefined {
    for (const [index, p] of this.started) {
      if (!bits.has(index)) continue;
      const b = p.got.findIndex((got, k) => !got && p.requests[k] === 0);
      if (b >= 0) return this.mark(index, b);
    }
    const candidates: number[] = [];
    let rarest = Infinity;
    for (let i = 0; i < this.pieces; i++) {
      if (!bits.has(i) || this.have.has(i) || this.started.has(i)) continue;
      const a = this.have.cardinality < this.randomFirst ? 0 : this.availability[i]!;
      if (a < rarest) {
        rarest = a;
        candidates.length = 0;
      }
      if (a === rarest) candidates.push(i);
    }
    if (candidates.length > 0) {
      const index = candidates[Math.floor(this.o.random() * candidates.length)]!;
      this.started.set(index, { got: new Uint8Array(this.blocksIn(index)), requests: new Uint16Array(this.blocksIn(index)) });
      return this.mark(index, 0);
    }
    if (!copies || !this.endgame) return undefined;
    // Endgame: the least-asked outstanding block this peer has and has not been asked for.
    let best: { index: number; b: number; n: number } | undefined;
    for (const [index, p] of this.started) {
      if (!bits.has(index)) continue;
      for (let b = 0; b < p.got.length; b++) {
        if (p.got[b] || p.requests[b]! >= ENDGAME_COPIES || asked(this.blockAt(index, b))) continue;
        if (!best || p.requests[b]! < best.n) best = { index, b, n: p.requests[b]! };
      }
    }
    return best ? this.mark(best.index, best.b) : undefined;
  }

  private mark(index: number, b: number): Block {
    const p = this.started.get(index)!;
    p.requests[b] = p.requests[b]! + 1;
    return this.blockAt(index, b);
  }

  /** A request that will not be answered (choked, disconnected): the block can be asked of someone else. */
  unrequest(block: Block): void {
    const p = this.started.get(block.index);
    const b = block.begin / BLOCK_SIZE;
    if (p && p.requests[b]! > 0) p.requests[b] = p.requests[b]! - 1;
  }

  /** A block arrived. Returns 'piece' when it completed its piece (to verify), 'dup' for a copy. */
  received(block: Block): 'block' | 'piece' | 'dup' {
    const p = this.started.get(block.index);
    const b = block.begin / BLOCK_SIZE;
    if (!p || p.got[b]) return 'dup';
    p.got[b] = 1;
    return p.got.every((g) => g === 1) ? 'piece' : 'block';
  }

  /** After the SHA-1 check: kept, or every block of it asked for again. */
  verified(index: number, ok: boolean): void {
    this.started.delete(index);
    if (ok) this.have.set(index);
  }

  /** Requests still outstanding for a block (endgame copies to cancel). */
  outstanding(block: Block): number {
    return this.started.get(block.index)?.requests[block.begin / BLOCK_SIZE] ?? 0;
  }
}
