// One peer of the circular DHT: its identifier, predecessor, r successors, finger table and
// store, and how it answers the other peers. Membership changes (membership.ts), lookups
// (lookup.ts) and the periodic repairs (maintenance.ts) act on this state.
import type { Clock } from './clock.js';
import type { RingParams } from './config.js';
import { hashId, inHalfOpen, inOpen } from './ids.js';
import { describeRef, PeerError, type Item, type NodeRef, type Op, type ReplyOf, type RequestOf, type RingState, type Status, type StepReply, type Transport } from './messages.js';
import { routeStep } from './routing.js';
import { batches, Store } from './store.js';

export interface NodeDeps {
  transport: Transport;
  clock: Clock;
  log(message: string): void;
}

export interface Identity {
  name: string;
  host: string;
  port: number;
  /** Fixed identifier (node.config.id); otherwise SHA-1 of the name in the ring's m bits. */
  id?: number;
}

export class NotMemberError extends PeerError {}

export class DhtNode {
  self: NodeRef;
  member = false;
  predecessor: NodeRef | null = null;
  successors: NodeRef[] = [];
  fingers: (NodeRef | null)[] = [];
  readonly store = new Store();
  /** Bumped by reset, create, join and leave: a round of maintenance begun before stops. */
  epoch = 0;
  /** Bumped whenever the successor list changes: a stabilisation computed from an older list is dropped. */
  linkVersion = 0;

  constructor(
    readonly identity: Identity,
    public params: RingParams,
    readonly deps: NodeDeps,
  ) {
    this.self = { id: idOf(identity, params.m), name: identity.name, host: identity.host, port: identity.port };
  }

  call<K extends Op>(to: NodeRef | { host: string; port: number }, op: K, body: RequestOf<K>, timeoutMs = this.params.timeout): Promise<ReplyOf<K>> {
    return this.deps.transport.call(to, op, body, timeoutMs);
  }

  log(message: string): void {
    this.deps.log(`dht ${describeRef(this.self)}: ${message}`);
  }

  /** Keys in (predecessor, self] are this node's; without a known predecessor it assumes all it holds. */
  owns(id: number): boolean {
    return this.predecessor === null || inHalfOpen(id, this.predecessor.id, this.self.id);
  }

  setSuccessors(list: NodeRef[]): void {
    const next = distinct(list.filter((n) => n.id !== this.self.id)).slice(0, this.params.successors);
    if (next.map((n) => n.id).join() === this.successors.map((n) => n.id).join()) return;
    this.successors = next;
    this.linkVersion++;
  }

  /** A peer found dead (no answer): forget it everywhere, so routing stops choosing it. */
  forget(id: number): void {
    if (this.successors.some((s) => s.id === id)) this.setSuccessors(this.successors.filter((s) => s.id !== id));
    if (this.predecessor?.id === id) this.predecessor = null;
    this.fingers = this.fingers.map((f) => (f?.id === id ? null : f));
  }

  ringState(): RingState {
    return { member: this.member, self: this.self, predecessor: this.predecessor, successors: this.successors, params: this.params };
  }

  status(): Status {
    const owned = this.store.all().filter((i) => this.owns(i.id)).length;
    return { ...this.ringState(), fingers: this.fingers, items: this.store.size, owned };
  }

  requireMember(): void {
    if (!this.member) throw new NotMemberError(`${this.self.name} is not a member of a ring`);
  }

  step(key: number, exclude: Iterable<number> = []): StepReply {
    this.requireMember();
    return routeStep({ self: this.self, mode: this.params.mode, m: this.params.m, successors: this.successors, fingers: this.fingers }, key, new Set(exclude));
  }

  /** Chord's notify: `node` thinks it may be our predecessor. */
  notify(node: NodeRef): boolean {
    this.requireMember();
    if (node.id === this.self.id) return false;
    if (this.predecessor !== null && !inOpen(node.id, this.predecessor.id, this.self.id)) return false;
    this.predecessor = node;
    // A node alone learns its first successor this way (the one that joined through it).
    if (this.successors.length === 0) this.setSuccessors([node]);
    return true;
  }

  /**
   * A joining node asks its predecessor-to-be to take it as successor (the lecture's "what if
   * peer 13 wants to join?": 12 makes 13 its successor, 13 takes 12's old successors).
   */
  insert(node: NodeRef): ReplyOf<'insert'> {
    this.requireMember();
    const succ = this.successors[0] ?? this.self;
    if (node.id === this.self.id || (node.id === succ.id && node.name !== succ.name)) {
      return { ok: false, reason: `id ${node.id} is already taken by ${node.id === this.self.id ? this.self.name : succ.name}; give node ${node.name} another config.id or use a larger m` };
    }
    if (!inHalfOpen(node.id, this.self.id, succ.id)) return { ok: false, reason: `${describeRef(node)} does not fall between ${describeRef(this.self)} and its successor ${describeRef(succ)}` };
    // The same name at the same id is a restarted node whose old entry is still here: replace it.
    const old = this.successors.filter((s) => s.id !== node.id);
    this.setSuccessors([node, ...old]);
    return { ok: true, successors: distinct([...old, this.self]) };
  }

  /** A neighbour leaves gracefully and says who comes instead of it. */
  leaving(node: NodeRef, predecessor: NodeRef | null, successors: NodeRef[]): void {
    if (this.successors[0]?.id === node.id) this.setSuccessors([...successors, ...this.successors].filter((s) => s.id !== node.id));
    if (this.predecessor?.id === node.id) this.predecessor = predecessor && predecessor.id !== this.self.id ? predecessor : null;
    this.forget(node.id);
  }

  /** Keeps items; with `replicate`, this node owns them (a put, a hand-over) and copies them to its successors. */
  async storeItems(items: Item[], replicate: boolean): Promise<number> {
    this.requireMember();
    const stored = this.store.put(items, (id) => this.owns(id));
    if (replicate) await this.pushReplicas(items.filter((i) => this.owns(i.id)));
    return stored;
  }

  /** Copies items to the first `replicas` successors; a successor that does not answer is left to the next round. */
  async pushReplicas(items: Item[]): Promise<boolean> {
    if (items.length === 0) return true;
    const targets = this.successors.slice(0, this.params.replicas);
    const results = await Promise.allSettled(targets.flatMap((t) => batches(items).map((b) => this.call(t, 'store', { items: b, replicate: false }))));
    return results.every((r) => r.status === 'fulfilled');
  }
}

export function idOf(identity: Identity, m: number): number {
  if (identity.id === undefined) return hashId(identity.name, m);
  if (identity.id >= 2 ** m) throw new PeerError(`config.id ${identity.id} of ${identity.name} does not fit the ring's m = ${m} bits (largest id ${2 ** m - 1})`);
  return identity.id;
}

export const distinct = (nodes: NodeRef[]): NodeRef[] => [...new Map(nodes.map((n) => [n.id, n])).values()];
