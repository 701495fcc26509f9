// A peer's sockets and its tracker: listens for neighbours, announces (started, every interval,
// completed, stopped), connects to the peers the tracker lists, and hands every handshaken
// connection to the swarm. One connection per neighbour address: when two peers dial each
// other at once, both keep the one dialled by the lower address.
import net from 'node:net';
import { PeerConnection } from './connection.js';
import { Swarm, type SwarmOptions, type SwarmStats } from './swarm.js';
import type { AnnounceRequest, AnnounceResponse } from './tracker-client.js';

export interface SessionOptions extends Omit<SwarmOptions, 'onComplete'> {
  peerId: Buffer;
  port: number;
  selfAddress: string;
  /** After completing: stay and upload (altruistic) or leave the swarm (selfish). */
  after: 'stay' | 'leave';
  nameOf: (address: string) => string | undefined;
  announce: (r: AnnounceRequest) => Promise<AnnounceResponse>;
  /** How often the choker is consulted (it re-ranks only every rechokeMs). */
  tickMs: number;
}

export interface SessionStats extends SwarmStats { startedAt: number; done: boolean; left: boolean; error?: string }

const plain = (address: string) => address.replace(/^::ffff:/, '');

export class Session {
  readonly swarm: Swarm;
  readonly startedAt: number;
  private server: net.Server | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private error: string | undefined;

  constructor(private readonly o: SessionOptions) {
    this.startedAt = o.now();
    this.swarm = new Swarm({ ...o, onComplete: () => void this.completed() });
  }

  async start(): Promise<void> {
    this.server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.o.port, '0.0.0.0', () => resolve());
    });
    this.timers.push(setInterval(() => this.swarm.rechoke(), this.o.tickMs));
    await this.announce('started');
  }

  private report(event?: AnnounceRequest['event']): AnnounceRequest {
    let down = 0;
    let up = 0;
    for (const n of Object.values(this.swarm.snapshot().neighbours)) {
      down += n.down;
      up += n.up;
    }
    return { infoHash: this.o.meta.infoHash, peerId: this.o.peerId, port: this.o.port, uploaded: up, downloaded: down, left: this.swarm.left, ...(event ? { event } : {}) };
  }

  private async announce(event?: AnnounceRequest['event']): Promise<void> {
    if (this.stopped && event !== 'stopped') return;
    try {
      const r = await this.o.announce(this.report(event));
      if (event === 'stopped') return;
      for (const p of r.peers) this.dial(p.ip, p.port);
      if (event === 'started') {
        const every = Math.max(1, r.interval) * 1000;
        this.timers.push(setInterval(() => void this.announce(), every));
      }
    } catch (e) {
      this.error = `announce ${event ?? ''}: ${(e as Error).message}`;
      this.o.log(this.error);
      if (event === 'started') throw e;
    }
  }

  private connected(address: string): PeerConnection | undefined {
    return [...this.swarm.conns, ...this.pending].find((c) => c.address === address && c.open);
  }

  private pending = new Set<PeerConnection>();

  private dial(ip: string, port: number): void {
    if (this.stopped || (ip === this.o.selfAddress && port === this.o.port) || this.connected(ip)) return;
    if (this.swarm.complete && this.o.after === 'leave') return;
    const socket = net.connect({ host: ip, port });
    const c = this.wrap(socket, ip, port, true);
    socket.on('connect', () => c.handshake(this.o.meta.infoHash, this.o.peerId));
  }

  private accept(socket: net.Socket): void {
    const ip = plain(socket.remoteAddress ?? '');
    const existing = this.connected(ip);
    if (this.stopped) return void socket.destroy();
    if (existing) {
      // Both dialled: keep the connection dialled by the lower address, on both sides.
      const keepExisting = existing.initiator ? this.o.selfAddress < ip : ip < this.o.selfAddress;
      if (keepExisting) return void socket.destroy();
      existing.close();
    }
    const c = this.wrap(socket, ip, socket.remotePort ?? 0, false);
    c.handshake(this.o.meta.infoHash, this.o.peerId);
  }

  private wrap(socket: net.Socket, ip: string, port: number, initiator: boolean): PeerConnection {
    const name = this.o.nameOf(ip) ?? `${ip}:${port}`;
    const c = new PeerConnection(socket, name, ip, initiator, this.swarm.picker.pieces, {
      handshake: (conn, h) => {
        this.pending.delete(conn);
        if (this.stopped || !h.infoHash.equals(this.o.meta.infoHash) || h.peerId.equals(this.o.peerId)) return false;
        this.swarm.added(conn);
        return true;
      },
      message: (conn, m) => this.swarm.message(conn, m),
      drained: (conn) => this.swarm.pump(conn),
      closed: (conn) => {
        this.pending.delete(conn);
        this.swarm.removed(conn);
      },
    });
    this.pending.add(c);
    return c;
  }

  private async completed(): Promise<void> {
    this.o.log(`complete: ${this.swarm.picker.pieces} pieces in ${this.o.now() - this.startedAt} ms`);
    await this.announce('completed');
    if (this.o.after === 'leave') await this.stop();
  }

  /** Leaves the swarm: tells the tracker, closes every connection and the listener. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timers.forEach(clearInterval);
    for (const c of [...this.swarm.conns, ...this.pending]) c.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.announce('stopped').catch(() => undefined);
  }

  stats(): SessionStats {
    const s = this.swarm.snapshot();
    return { ...s, startedAt: this.startedAt, done: s.completedAt !== undefined, left: this.stopped, ...(this.error ? { error: this.error } : {}) };
  }
}
