// An in-memory DHT lab for unit tests: every node's service behind a Transport that delivers
// requests as JSON (as the wire would), a switch to make a node fall silent (abrupt failure),
// and a fake clock that runs the nodes' periodic repairs when advanced.
import type { Clock } from '../../../images/agent/src/dht/clock.js';
import { DEFAULT_PARAMS, parseNodeConfig, parseParams, type RingParams } from '../../../images/agent/src/dht/config.js';
import type { Driver, Peer } from '../../../images/agent/src/dht/form.js';
import { PeerError, PeerUnreachableError, type NodeRef, type Op, type ReplyOf, type RequestOf, type Transport } from '../../../images/agent/src/dht/messages.js';
import { DhtNode } from '../../../images/agent/src/dht/node.js';
import { ringProblems } from '../../../images/agent/src/dht/ring-check.js';
import { DhtService } from '../../../images/agent/src/dht/service.js';

interface Task { due: number; every: number; run: () => Promise<void>; cancelled: boolean }

export class FakeClock implements Clock {
  private t = 0;
  private tasks: Task[] = [];
  now(): number {
    return this.t;
  }
  every(ms: number, run: () => Promise<void>): () => void {
    const task = { due: this.t + ms, every: ms, run, cancelled: false };
    this.tasks.push(task);
    return () => {
      task.cancelled = true;
    };
  }
  async sleep(ms: number): Promise<void> {
    await this.advance(ms);
  }
  /** Moves time forward, running each due task (in time order) to completion. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.tasks = this.tasks.filter((t) => !t.cancelled);
      const next = this.tasks.filter((t) => t.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.t = next.due;
      next.due += next.every;
      await next.run();
    }
    this.t = end;
  }
}

export class MemoryLab implements Transport {
  readonly clock = new FakeClock();
  readonly services = new Map<string, DhtService>();
  readonly down = new Set<string>();
  readonly logs: string[] = [];
  params: RingParams;

  constructor(params: Record<string, unknown> = {}) {
    this.params = parseParams(params, DEFAULT_PARAMS, 'test');
  }

  async call<K extends Op>(to: { host: string; port: number }, op: K, body: RequestOf<K>): Promise<ReplyOf<K>> {
    const service = this.services.get(to.host);
    if (!service || this.down.has(to.host)) throw new PeerUnreachableError(`${to.host} does not answer`);
    let reply: unknown;
    try {
      reply = await service.handle(JSON.parse(JSON.stringify({ ...body, op })));
    } catch (e) {
      throw new PeerError(e instanceof Error ? e.message : String(e));
    }
    return JSON.parse(JSON.stringify(reply ?? null)) as ReplyOf<K>;
  }

  add(name: string, config: Record<string, unknown> = {}): DhtService {
    const parsed = parseNodeConfig({ m: this.params.m, mode: this.params.mode, successors: this.params.successors, periods: this.params.periods, timeout: this.params.timeout, ...config });
    const node = new DhtNode({ name, host: name, port: parsed.port, ...(parsed.id === undefined ? {} : { id: parsed.id }) }, parsed.params, { transport: this, clock: this.clock, log: (l) => this.logs.push(l) });
    const service = new DhtService(node, parsed, (target) => ({ host: target, port: parsed.port }));
    this.services.set(name, service);
    return service;
  }

  node(name: string): DhtNode {
    const s = this.services.get(name);
    if (!s) throw new Error(`no node ${name}`);
    return s.node;
  }

  /** Creates the ring at the first name and joins the others through it, one by one. */
  async ring(names: string[], ids?: number[]): Promise<void> {
    names.forEach((name, i) => this.add(name, ids ? { id: ids[i] } : {}));
    await this.services.get(names[0]!)!.handle({ op: 'create' });
    for (const name of names.slice(1)) await this.services.get(name)!.handle({ op: 'join', via: [names[0]] });
  }

  /** An abrupt failure: the node stops answering and its timers stop, as if killed. */
  kill(name: string): void {
    this.down.add(name);
    this.services.get(name)!.stop();
  }

  /** A killed node's container started again: a fresh daemon, with only its node config, that joins by itself. */
  restart(name: string, config: Record<string, unknown>): DhtService {
    this.down.delete(name);
    const service = this.add(name, config);
    service.startAutoJoin();
    return service;
  }

  /** What workloads drive nodes with (dht/form.ts), on this lab. */
  driver(random: () => number): Driver {
    return { transport: this, clock: this.clock, random, log: (l) => this.logs.push(l), timeoutMs: 1000 };
  }

  peer(name: string): Peer {
    return { name, host: name, port: 4000 };
  }

  members(): NodeRef[] {
    return [...this.services.entries()].filter(([name, s]) => !this.down.has(name) && s.node.member).map(([, s]) => s.node.self);
  }

  /** What keeps the live members from being a stable ring (ring-check.ts, as dht-setup polls it). */
  problems(): string[] {
    return ringProblems([...this.services.entries()].filter(([name]) => !this.down.has(name)).map(([, s]) => s.node.status()));
  }

  stable(): boolean {
    return this.problems().length === 0;
  }

  /** Advances the clock in ping periods until the ring is stable; fails after `limitMs`. */
  async settle(limitMs = 60_000): Promise<number> {
    const step = this.params.periods.ping;
    for (let t = 0; t <= limitMs; t += step) {
      if (this.stable()) return t;
      await this.clock.advance(step);
    }
    throw new Error(`ring not stable after ${limitMs} ms of fake time:\n${this.problems().slice(0, 10).join('\n')}\n${this.logs.slice(-10).join('\n')}`);
  }
}
