// Driving a set of dht-nodes from outside (dht-setup, dht-wait-stable, lookups from every
// member): reset them, create a ring, join the others one by one through members chosen at
// random (the lecture: "join via any known node"), and poll until the ring is stable.
// Transport, clock and randomness are injected: unit tests run it on the in-memory lab.
import type { Clock } from './clock.js';
import { describeRef, PeerUnreachableError, type NodeRef, type Status, type Transport } from './messages.js';
import { pick } from '../common/random.js';
import { ringProblems } from './ring-check.js';

export interface Peer {
  name: string;
  host: string;
  port: number;
}

export interface Driver {
  transport: Transport;
  clock: Clock;
  random: () => number;
  log(message: string): void;
  /** Per request to a node; joins and lookups wait this long too. */
  timeoutMs: number;
}

export class RingError extends Error {}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Resets every listed node with `params` (the ring's settings), creates a ring at the first of
 * `members` and joins the others in order. Nodes outside `members` stay out of the ring; they
 * may be down (a node killed earlier), members may not.
 */
export async function formRing(d: Driver, members: Peer[], idle: Peer[], params: Record<string, unknown>): Promise<{ formMs: number }> {
  const [first, ...rest] = members;
  if (!first) throw new RingError('a ring needs at least one member');
  const started = d.clock.now();
  const reset = (p: Peer) => d.transport.call(p, 'reset', { params }, d.timeoutMs);
  const results = await Promise.allSettled([...members, ...idle].map(reset));
  const failed = results.map((r, i) => [r, [...members, ...idle][i]!] as const).filter(([r]) => r.status === 'rejected');
  for (const [r, p] of failed) {
    const reason = why((r as PromiseRejectedResult).reason);
    if (members.includes(p)) throw new RingError(`${p.name} (${p.host}:${p.port}) did not take the reset: ${reason}. Is it a dht-node, and running (restarted after a kill)?`);
    d.log(`dht-setup: ${p.name} stays out (it did not answer: ${reason})`);
  }
  await d.transport.call(first, 'create', {}, d.timeoutMs);
  const joined = [first];
  for (const p of rest) {
    const via = pick(joined, d.random);
    try {
      await d.transport.call(p, 'join', { via: [via.name] }, d.timeoutMs);
    } catch (e) {
      throw new RingError(`${p.name} could not join through ${via.name}: ${why(e)}`);
    }
    joined.push(p);
  }
  return { formMs: d.clock.now() - started };
}

/** A status is answered at once by a live node; a dead one must not hold up every poll for long. */
const STATUS_TIMEOUT_MS = 1000;

/** Every listed node's status; nodes that do not answer are left out (down, or not dht-nodes). */
export async function statuses(d: Driver, nodes: Peer[]): Promise<Status[]> {
  const results = await Promise.allSettled(nodes.map((p) => d.transport.call(p, 'status', {}, Math.min(d.timeoutMs, STATUS_TIMEOUT_MS))));
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

/**
 * Polls the nodes' status until the members (those that say so) form a stable ring — each
 * one's successors, predecessor and fingers as the membership implies — and, with `expected`,
 * until there are that many members.
 */
export async function waitStable(d: Driver, nodes: Peer[], o: { expected?: number; limitMs: number; pollMs?: number }): Promise<{ ms: number; members: NodeRef[] }> {
  const started = d.clock.now();
  let problems: string[] = [];
  for (;;) {
    const all = await statuses(d, nodes);
    const members = all.filter((s) => s.member);
    problems = ringProblems(all);
    if (o.expected !== undefined && members.length !== o.expected) problems.unshift(`${members.length} members (${members.map((s) => s.self.name).join(', ')}), expected ${o.expected}`);
    if (problems.length === 0) return { ms: d.clock.now() - started, members: members.map((s) => s.self) };
    if (d.clock.now() - started >= o.limitMs) break;
    await d.clock.sleep(o.pollMs ?? 100);
  }
  throw new RingError(`the ring is not stable after ${o.limitMs} ms:\n  ${problems.slice(0, 8).join('\n  ')}${problems.length > 8 ? `\n  … and ${problems.length - 8} more` : ''}`);
}

/** The members in ring order, found by following successors from `start` (a member). */
export async function walkRing(d: Driver, start: Peer): Promise<NodeRef[]> {
  const first = await d.transport.call(start, 'state', {}, d.timeoutMs);
  if (!first.member) throw new RingError(`${first.self.name} is not a member of a ring`);
  const seen: NodeRef[] = [first.self];
  let next = first.successors[0];
  while (next && next.id !== first.self.id) {
    if (seen.some((s) => s.id === next!.id)) throw new RingError(`the successors loop without returning to ${describeRef(first.self)}: ${seen.map(describeRef).join(' -> ')} -> ${describeRef(next)}`);
    if (seen.length > 1 << 16) throw new RingError('the ring walk went on for too long');
    seen.push(next);
    try {
      next = (await d.transport.call(next, 'state', {}, d.timeoutMs)).successors[0];
    } catch (e) {
      if (!(e instanceof PeerUnreachableError)) throw e;
      throw new RingError(`${describeRef(next)} did not answer while walking the ring: ${why(e)}`);
    }
  }
  return seen;
}
