// Iterative lookup from this node: it asks each peer on the way for the next step itself, so a
// peer that does not answer is skipped (excluded) and the previous one is asked again, which
// then routes around it — to a finger, or to its second successor. The hop count is the number
// of peers the query reached before one knew the owner (its predecessor): Chord's path length,
// the lecture's "messages" (N/2 on a ring, ½·log2 N with shortcuts).
import { describeRef, PeerError, PeerUnreachableError, type NodeRef, type StepReply } from './messages.js';
import type { DhtNode } from './node.js';

export interface Resolved<T> {
  owner: NodeRef;
  /** The owner's successors, as its predecessor knows them (where the replicas are). */
  replicas: NodeRef[];
  hops: number;
  timeouts: number;
  /** The peers that did not answer (or were no longer members), in order. */
  skipped: string[];
  path: NodeRef[];
  result: T;
}

export class LookupError extends Error {}

/** A peer that is gone or no longer in the ring: route around it. */
const unusable = (e: unknown): boolean => e instanceof PeerUnreachableError || e instanceof PeerError;

/**
 * Finds the owner of `key` and runs `atOwner` on it (a get, a store); if the owner does not
 * answer, it is excluded and the owner's predecessor names the next one — the replica holder.
 */
export interface ResolveOptions {
  /** Where the lookup starts: this node (default), or a member a joining node asks. */
  from?: NodeRef;
  /** Peers not to route through (a joining node excludes its own id: its old entry may still be around). */
  exclude?: number[];
  maxHops?: number;
}

export async function resolve<T>(node: DhtNode, key: number, atOwner: (owner: NodeRef) => Promise<T>, o: ResolveOptions = {}): Promise<Resolved<T>> {
  const from = o.from ?? node.self;
  if (from.id === node.self.id) node.requireMember();
  const maxHops = o.maxHops ?? 4096;
  const epoch = node.epoch;
  const exclude = new Set<number>(o.exclude);
  const path: NodeRef[] = [from];
  let timeouts = 0;
  const skipped: string[] = [];
  const skip = (peer: NodeRef) => {
    timeouts++;
    skipped.push(peer.name);
    exclude.add(peer.id);
    node.forget(peer.id);
  };

  const ask = (at: NodeRef): Promise<StepReply> =>
    at.id === node.self.id ? Promise.resolve(node.step(key, exclude)) : node.call(at, 'step', { key, exclude: [...exclude] });

  /** Asks the last peer of the path again; peers that went silent meanwhile are dropped from it. */
  const reask = async (): Promise<StepReply> => {
    for (;;) {
      const at = path[path.length - 1]!;
      try {
        return await ask(at);
      } catch (e) {
        if (!unusable(e) || path.length === 1) throw e;
        skip(at);
        path.pop();
      }
    }
  };

  let reply = await ask(from);
  for (;;) {
    if (node.epoch !== epoch) throw new LookupError(`the node left or reset its ring during the lookup of ${key}`);
    if (reply.done) {
      const owner = reply.owner;
      try {
        const result = await atOwner(owner);
        return { owner, replicas: reply.successors, hops: path.length - 1, timeouts, skipped, path, result };
      } catch (e) {
        if (!unusable(e)) throw e;
        skip(owner);
        reply = await reask();
        continue;
      }
    }
    const next = reply.next;
    if (path.length > maxHops) throw new LookupError(`lookup of ${key} gave up after ${maxHops} hops (at ${describeRef(next)}): the ring has a loop`);
    if (path.some((p) => p.id === next.id)) {
      // Stale tables can send a query back to where it was; treat that peer as unusable for this lookup.
      exclude.add(next.id);
      reply = await reask();
      continue;
    }
    try {
      reply = await ask(next);
      path.push(next);
    } catch (e) {
      if (!unusable(e)) throw e;
      skip(next);
      reply = await reask();
    }
    if (exclude.size > 64) throw new LookupError(`lookup of ${key}: ${exclude.size} peers did not answer; giving up`);
  }
}
