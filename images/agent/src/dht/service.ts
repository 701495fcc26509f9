// A dht-node's protocol service: answers every request (peers' and clients'), and runs the
// periodic repairs while the node is a member. Transport-free: rpc.ts delivers the requests.
import { parseParams, type DhtNodeConfig } from './config.js';
import { keyId } from './ids.js';
import { resolve } from './lookup.js';
import { startMaintenance } from './maintenance.js';
import { create, join, leave, reset } from './membership.js';
import { nodeRef, OPS, PeerError, ProtocolError, type Item, type LookupResult, type NodeRef, type Request } from './messages.js';
import type { DhtNode } from './node.js';

export type AddressOf = (target: string) => { host: string; port: number };

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export class DhtService {
  private stopMaintenance: (() => void) | undefined;
  private stopAutoJoin: (() => void) | undefined;

  constructor(
    readonly node: DhtNode,
    readonly config: DhtNodeConfig,
    private readonly addressOf: AddressOf,
  ) {}

  /** Answers one request; a thrown error goes back to the caller as its message. */
  async handle(raw: unknown): Promise<unknown> {
    const request = checkRequest(raw);
    const n = this.node;
    switch (request.op) {
      case 'ping': return { id: n.self.id, member: n.member };
      case 'state': return n.ringState();
      case 'status': return n.status();
      case 'notify': return { accepted: n.notify(nodeRef(request.node, 'notify.node')) };
      case 'step': return n.step(num(request.key, 'step.key'), Array.isArray(request.exclude) ? request.exclude.map((x) => num(x, 'step.exclude')) : []);
      case 'insert': return n.insert(nodeRef(request.node, 'insert.node'));
      case 'get': return this.get(str(request.key, 'get.key'));
      case 'store': return { stored: await n.storeItems(items(request.items), request.replicate === true) };
      case 'transfer': {
        n.requireMember();
        return { items: n.store.range(num(request.from, 'transfer.from'), num(request.to, 'transfer.to')) };
      }
      case 'leaving': {
        const successors = Array.isArray(request.successors) ? request.successors.map((s) => nodeRef(s, 'leaving.successors')) : [];
        n.leaving(nodeRef(request.node, 'leaving.node'), request.predecessor ? nodeRef(request.predecessor, 'leaving.predecessor') : null, successors);
        return {};
      }
      case 'reset': return this.reset(request.params && typeof request.params === 'object' ? request.params : {});
      case 'create': return this.createRing();
      case 'join': return this.join(Array.isArray(request.via) ? request.via.map((v) => str(v, 'join.via')) : []);
      case 'leave': {
        this.cancelAutoJoin();
        this.stop();
        return { handedOver: await leave(n) };
      }
      case 'lookup': return this.lookup(str(request.key, 'lookup.key'), request.numeric === true, request.fetch !== false);
      case 'put': return this.put(str(request.key, 'put.key'), request.numeric === true, str(request.value, 'put.value'));
    }
  }

  get(key: string): { found: boolean; value?: string } {
    this.node.requireMember();
    const item = this.node.store.get(key);
    return item ? { found: true, value: item.value } : { found: false };
  }

  reset(params: Record<string, unknown>): { id: number } {
    this.cancelAutoJoin();
    this.stop();
    reset(this.node, parseParams(params, this.config.params, 'reset.params'));
    return { id: this.node.self.id };
  }

  /** Joins through the first of `via` (names or addresses; default the configured bootstrap) that is a member. */
  async join(via: string[]): Promise<{ self: NodeRef; successor: NodeRef; ms: number }> {
    this.cancelAutoJoin();
    return this.joinThrough(via.length > 0 ? via : this.config.bootstrap);
  }

  private async joinThrough(via: string[]): Promise<{ self: NodeRef; successor: NodeRef; ms: number }> {
    this.stop();
    const started = this.node.deps.clock.now();
    const errors: string[] = [];
    for (const target of via.filter((v) => v !== this.node.self.name)) {
      try {
        const { successor } = await join(this.node, this.addressOf(target));
        this.start();
        return { self: this.node.self, successor, ms: round(this.node.deps.clock.now() - started) };
      } catch (e) {
        errors.push(`${target}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    throw new PeerError(`${this.node.self.name} could not join through [${via.join(', ')}]: ${errors.join('; ') || 'no node to join through'}`);
  }

  /**
   * At start-up (and so after a restart): join through the configured bootstrap nodes,
   * retrying until one is a member — or, with `create`, start the ring when none is. A reset,
   * create, join or leave request takes over and ends the attempts.
   */
  startAutoJoin(): void {
    const { bootstrap, create: creates } = this.config;
    const others = bootstrap.filter((b) => b !== this.node.self.name);
    if (others.length === 0) {
      if (creates) this.createRing();
      return;
    }
    let attempts = 0;
    let busy = false;
    const attempt = async () => {
      if (busy || this.node.member) return;
      busy = true;
      attempts++;
      try {
        await this.joinThrough(others);
        this.cancelAutoJoin();
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        if (creates) {
          this.node.log(`no bootstrap node is a member (${why}): creating the ring`);
          this.createRing();
        } else if (attempts === 1 || attempts % 30 === 0) {
          this.node.log(`waiting for a ring to join (attempt ${attempts}): ${why}`);
        }
      } finally {
        busy = false;
      }
    };
    this.stopAutoJoin = this.node.deps.clock.every(Math.max(this.node.params.periods.stabilize, 1000), attempt);
    void attempt();
  }

  private createRing(): { self: NodeRef } {
    this.cancelAutoJoin();
    this.stop();
    create(this.node);
    this.start();
    return { self: this.node.self };
  }

  async lookup(key: string, numeric: boolean, fetch: boolean): Promise<LookupResult> {
    const n = this.node;
    const id = keyId(key, n.params.m, numeric);
    const started = n.deps.clock.now();
    const getAt = async (at: NodeRef) => (at.id === n.self.id ? this.get(key) : n.call(at, 'get', { key }));
    const r = await resolve(n, id, async (owner) => (fetch ? getAt(owner) : undefined));
    let found = r.result?.found;
    let value = r.result?.value;
    let replica: string | undefined;
    // Not at the owner (a fresh owner still receiving its keys): the replicas have it.
    for (const holder of fetch && !found ? r.replicas : []) {
      const got = await getAt(holder).catch(() => undefined);
      if (got?.found) [found, value, replica] = [true, got.value, holder.name];
      if (found) break;
    }
    const result: LookupResult = { key, id, owner: r.owner, hops: r.hops, timeouts: r.timeouts, skipped: r.skipped, ms: round(n.deps.clock.now() - started) };
    return fetch ? { ...result, found: found === true, ...(value === undefined ? {} : { value }), ...(replica ? { replica } : {}) } : result;
  }

  async put(key: string, numeric: boolean, value: string): Promise<LookupResult> {
    const n = this.node;
    const item: Item = { key, id: keyId(key, n.params.m, numeric), value };
    const started = n.deps.clock.now();
    const storeAt = async (owner: NodeRef) => (owner.id === n.self.id ? n.storeItems([item], true) : (await n.call(owner, 'store', { items: [item], replicate: true })).stored);
    const r = await resolve(n, item.id, storeAt);
    return { key, id: item.id, owner: r.owner, hops: r.hops, timeouts: r.timeouts, skipped: r.skipped, ms: round(n.deps.clock.now() - started) };
  }

  private start(): void {
    this.stop();
    this.stopMaintenance = startMaintenance(this.node);
  }

  /** Stops the repairs and any start-up join attempts. */
  stop(): void {
    this.stopMaintenance?.();
    this.stopMaintenance = undefined;
  }

  private cancelAutoJoin(): void {
    this.stopAutoJoin?.();
    this.stopAutoJoin = undefined;
  }
}

function checkRequest(raw: unknown): Request {
  const r = raw as { op?: unknown } | null;
  if (!r || typeof r !== 'object' || !OPS.includes(r.op as Request['op'])) throw new ProtocolError(`unknown request ${JSON.stringify(r?.op)}; known: [${OPS.join(', ')}]`);
  return r as Request;
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ProtocolError(`${what}: expected a whole number, found ${JSON.stringify(v)}`);
  return v;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new ProtocolError(`${what}: expected a string, found ${JSON.stringify(v)}`);
  return v;
}

function items(v: unknown): Item[] {
  if (!Array.isArray(v)) throw new ProtocolError(`store.items: expected a list, found ${JSON.stringify(v)}`);
  return v.map((i: Partial<Item>) => ({ key: str(i.key, 'store.items[].key'), id: num(i.id, 'store.items[].id'), value: str(i.value, 'store.items[].value') }));
}

