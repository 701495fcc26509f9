// A P2P node's state between runs: the file-server (always serving the file over TCP; in P2P
// runs also the swarm's first seeder), a bt-peer (a leecher in P2P runs, a TCP client in
// client-server runs, so both designs run on one lab) or a plain file-client. The distribution
// workload drives it: `reset` (drop everything from the last run), `start` {mode, seed},
// `status` (progress, completion, the swarm's record).
import { mulberry32 } from '../common/random.js';
import type { FileNodeSettings } from './config.js';
import { FILE_PORT } from './config.js';
import { fetchFile } from './file-transfer.js';
import { Session, type SessionStats } from './session.js';
import { announce } from './tracker-client.js';

export type Mode = 'client-server' | 'p2p';

export interface NodeStatus {
  node: string;
  role: string;
  mode?: Mode;
  startedAt?: number;
  completedAt?: number;
  done: boolean;
  error?: string;
  swarm?: SessionStats;
}

export interface NodeContext {
  node: string;
  role: string;
  selfAddress: string;
  nameOf: (address: string) => string | undefined;
  addressOf: (name: string) => string;
  log: (line: string) => void;
}

const hash32 = (s: string) => [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);

export class P2pNode {
  private session: Session | undefined;
  private cancelFetch: (() => void) | undefined;
  private status: NodeStatus;

  constructor(private readonly s: FileNodeSettings, private readonly ctx: NodeContext) {
    this.status = { node: ctx.node, role: ctx.role, done: false };
  }

  async control(request: Record<string, unknown>): Promise<unknown> {
    if (request.op === 'reset') return this.reset();
    if (request.op === 'status') return this.snapshot();
    if (request.op === 'progress') return this.progress();
    if (request.op === 'start') {
      const mode = request.mode;
      if (mode !== 'client-server' && mode !== 'p2p') throw new Error(`start: mode must be client-server or p2p, found ${JSON.stringify(mode)}`);
      return this.start(mode, typeof request.seed === 'number' ? request.seed : 1);
    }
    throw new Error(`unknown P2P control request ${JSON.stringify(request.op)}; known: [reset, start, status, progress]`);
  }

  snapshot(): NodeStatus {
    const swarm = this.session?.stats();
    const completedAt = this.status.completedAt ?? swarm?.completedAt;
    return { ...this.status, done: this.status.done || (swarm?.done ?? false), ...(completedAt !== undefined ? { completedAt } : {}), ...(swarm ? { swarm } : {}) };
  }

  /** What the workload polls while peers download: small, so polling 30 peers costs them little CPU. */
  progress(): Omit<NodeStatus, 'swarm'> & { have?: number; pieces?: number } {
    const s = this.session?.swarm;
    const completedAt = this.status.completedAt ?? s?.completedAt;
    return { ...this.status, done: this.status.done || completedAt !== undefined, ...(completedAt !== undefined ? { completedAt } : {}), ...(s ? { have: s.picker.have.cardinality, pieces: s.picker.pieces } : {}) };
  }

  async reset(): Promise<NodeStatus> {
    this.cancelFetch?.();
    this.cancelFetch = undefined;
    const last = this.snapshot();
    await this.session?.stop();
    this.session = undefined;
    this.status = { node: this.ctx.node, role: this.ctx.role, done: false };
    return last;
  }

  private async start(mode: Mode, seed: number): Promise<NodeStatus> {
    await this.reset();
    const now = Date.now;
    this.status = { ...this.status, mode, startedAt: now() };
    if (mode === 'client-server') {
      if (this.ctx.role === 'file-server') return this.snapshot(); // it always serves
      const { done, cancel } = fetchFile(this.s.meta, this.ctx.addressOf(this.s.server!), FILE_PORT, now);
      this.cancelFetch = cancel;
      done.then(
        (r) => {
          this.status = { ...this.status, done: true, completedAt: r.completedAt };
          this.ctx.log(`file-client: ${r.bytes} bytes, ${r.verifiedPieces} pieces verified, in ${r.completedAt - this.status.startedAt!} ms`);
        },
        (e: Error) => (this.status = { ...this.status, error: e.message }),
      );
      return this.snapshot();
    }
    if (this.ctx.role === 'file-client') throw new Error('a file-client only takes part in client-server runs; use role bt-peer for P2P runs');
    const random = mulberry32(seed ^ hash32(this.ctx.node));
    const peerId = Buffer.from(`-EM0100-${Array.from({ length: 12 }, () => Math.floor(random() * 36).toString(36)).join('')}`, 'latin1');
    const session = new Session({
      meta: this.s.meta,
      contentSeed: this.s.contentSeed,
      seeding: this.ctx.role === 'file-server',
      ...this.s.peer,
      tickMs: Math.min(500, this.s.peer.rechokeMs / 4),
      peerId,
      selfAddress: this.ctx.selfAddress,
      nameOf: this.ctx.nameOf,
      announce: (r) => announce(this.s.meta.announce, r),
      now,
      random,
      log: this.ctx.log,
    });
    this.session = session;
    await session.start();
    return this.snapshot();
  }
}
