// Entering and leaving the ring: create one, join through any member, leave gracefully (keys
// handed to the successor, neighbours told), or be reset (dht-setup's fresh start).
import type { RingParams } from './config.js';
import { resolve } from './lookup.js';
import { describeRef, type NodeRef } from './messages.js';
import { idOf, type DhtNode } from './node.js';
import { batches } from './store.js';

export class JoinError extends Error {}

/** Forgets ring and keys and takes new settings (a node outside any ring). */
export function reset(node: DhtNode, params: RingParams): void {
  node.epoch++;
  node.member = false;
  node.params = params;
  node.self = { ...node.self, id: idOf(node.identity, params.m) };
  node.predecessor = null;
  node.setSuccessors([]);
  node.fingers = [];
  node.store.clear();
}

/** A ring of one: this node owns every key until others join. */
export function create(node: DhtNode): void {
  node.epoch++;
  node.member = true;
  node.predecessor = null;
  node.setSuccessors([]);
  node.fingers = [];
  node.log(`created a ring (m=${node.params.m}, mode=${node.params.mode}, successors=${node.params.successors})`);
}

/**
 * Joins through `via` (any member): adopts the ring's settings, finds its own predecessor by a
 * lookup of its own id, asks that predecessor to insert it, tells its successor, and takes over
 * the keys in (predecessor, self] from the successor (which keeps them as replicas).
 */
export async function join(node: DhtNode, via: { host: string; port: number }): Promise<{ successor: NodeRef }> {
  const ring = await node.call(via, 'state', {});
  if (!ring.member) throw new JoinError(`${ring.self.name} (${via.host}:${via.port}) is not a member of a ring`);
  node.epoch++;
  node.member = false;
  node.params = ring.params;
  node.self = { ...node.self, id: idOf(node.identity, ring.params.m) };
  const epoch = node.epoch;
  for (let attempt = 1; attempt <= 5; attempt++) {
    // Our own id is excluded: a restarted node's old entry may still be in its neighbours' tables.
    const found = await resolve(node, node.self.id, async (owner) => owner, { from: ring.self, exclude: [node.self.id] });
    const predecessor = found.path[found.path.length - 1]!;
    const reply = await node.call(predecessor, 'insert', { node: node.self });
    if (node.epoch !== epoch) throw new JoinError('reset while joining');
    if (!reply.ok) {
      if (/already taken/.test(reply.reason)) throw new JoinError(reply.reason);
      node.log(`join attempt ${attempt}: ${reply.reason}; retrying`);
      continue;
    }
    node.member = true;
    node.predecessor = predecessor;
    node.fingers = [];
    node.setSuccessors([...reply.successors]);
    const successor = node.successors[0] ?? predecessor;
    try {
      await node.call(successor, 'notify', { node: node.self });
      const { items } = await node.call(successor, 'transfer', { from: predecessor.id, to: node.self.id });
      node.store.put(items, (id) => node.owns(id));
    } catch (e) {
      // Stabilisation and replication repair this later; the join itself has happened.
      node.log(`after joining: ${e instanceof Error ? e.message : String(e)}`);
    }
    node.log(`joined through ${ring.self.name}: predecessor ${describeRef(predecessor)}, successor ${describeRef(successor)}, ${node.store.size} keys taken over`);
    return { successor };
  }
  throw new JoinError(`could not join through ${ring.self.name}: the ring kept changing under 5 attempts`);
}

/** Graceful leave: neighbours learn who replaces this node, the successor gets its keys. */
export async function leave(node: DhtNode): Promise<number> {
  node.requireMember();
  const successor = node.successors[0];
  const owned = node.store.all().filter((i) => node.owns(i.id));
  const farewell = { node: node.self, predecessor: node.predecessor, successors: node.successors };
  const tell = [successor, node.predecessor].filter((n): n is NodeRef => !!n && n.id !== node.self.id);
  await Promise.allSettled(tell.map((n) => node.call(n, 'leaving', farewell)));
  let handedOver = 0;
  if (successor) {
    for (const batch of batches(owned)) {
      try {
        await node.call(successor, 'store', { items: batch, replicate: true });
        handedOver += batch.length;
      } catch (e) {
        node.log(`leave: hand-over to ${successor.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  node.epoch++;
  node.member = false;
  node.predecessor = null;
  node.setSuccessors([]);
  node.fingers = [];
  node.store.clear();
  node.log(`left the ring; ${handedOver} keys handed to ${describeRef(successor)}`);
  return handedOver;
}
