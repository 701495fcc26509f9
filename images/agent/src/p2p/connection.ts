// One neighbour over the peer wire: the four flags of BEP 3 (am/peer choking, am/peer
// interested), what it has, the requests in flight both ways and the bytes moved. The session
// decides; this only keeps state and frames messages.
import type net from 'node:net';
import { Bitfield } from './bitfield.js';
import type { Block } from './picker.js';
import { BLOCK_SIZE, encodeHandshake, encodeMessage, WireParser, type Handshake, type Message } from './wire.js';

const RATE_TAU_S = 0.25;

export const blockKey = (b: Pick<Block, 'index' | 'begin'>) => `${b.index}:${b.begin}`;

export interface ConnectionEvents {
  /** Return false to refuse (another swarm, ourselves, a duplicate). */
  handshake(c: PeerConnection, h: Handshake): boolean;
  message(c: PeerConnection, m: Message): void;
  drained(c: PeerConnection): void;
  closed(c: PeerConnection): void;
}

export class PeerConnection {
  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;
  shook = false;
  bits: Bitfield;
  /** Ours, awaiting a piece message. */
  readonly requests = new Map<string, Block>();
  /** Theirs, awaiting upload while we do not choke them. */
  queue: Block[] = [];
  /** Chokes received so far (a choke's grace timer checks it is still the latest). */
  chokes = 0;
  windowDown = 0;
  windowUp = 0;
  /**
   * Download rate from this neighbour, bytes/s, averaged over ~RATE_TAU_S. Short, because the
   * request queue is sized from it and a newly unchoked neighbour must not wait long for a
   * queue deep enough to fill its link (the queue limits the rate until the rate grows it).
   */
  rateDown = 0;
  private rateAt = 0;
  private closed = false;
  private readonly parser: WireParser;

  constructor(
    readonly socket: net.Socket,
    /** The neighbour as metrics name it: its node name, else ADDRESS:PORT. */
    readonly name: string,
    readonly address: string,
    readonly initiator: boolean,
    pieces: number,
    private readonly events: ConnectionEvents,
  ) {
    this.bits = new Bitfield(pieces);
    this.parser = new WireParser({
      handshake: (h) => {
        if (!this.events.handshake(this, h)) return this.close();
        this.shook = true;
      },
      message: (m) => {
        if (!this.closed) this.events.message(this, m);
      },
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.parser.push(chunk);
      } catch {
        this.close(); // a peer that breaks the protocol is dropped, as clients do
      }
    });
    socket.on('drain', () => this.events.drained(this));
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
  }

  /** Counts received payload into the decaying rate (bytes/s). */
  received(bytes: number, now: number): void {
    const dt = Math.max(0, now - this.rateAt) / 1000;
    this.rateDown = this.rateDown * Math.exp(-dt / RATE_TAU_S) + bytes / RATE_TAU_S;
    this.rateAt = now;
  }

  handshake(infoHash: Buffer, peerId: Buffer): void {
    this.socket.write(encodeHandshake(infoHash, peerId));
  }

  send(m: Message): void {
    if (!this.closed) this.socket.write(encodeMessage(m));
  }

  /** Enough is buffered in user space: wait for 'drain' before queueing more uploads. */
  get congested(): boolean {
    return this.socket.writableLength >= 2 * BLOCK_SIZE;
  }

  get open(): boolean {
    return !this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.events.closed(this);
  }
}
