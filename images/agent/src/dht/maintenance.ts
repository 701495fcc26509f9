// The periodic repairs that keep the circle whole under churn: ping the successors and the
// predecessor (the lecture: "each peer periodically pings its two successors"), Chord's
// stabilisation (adopt a closer successor, notify it), finger repair, and re-replication of
// owned keys whenever the neighbourhood changed.
import { clockwise, fingerStart, inHalfOpen, inOpen } from './ids.js';
import { resolve } from './lookup.js';
import { describeRef, PeerError, PeerUnreachableError, type NodeRef } from './messages.js';
import type { DhtNode } from './node.js';

const unusable = (e: unknown): boolean => e instanceof PeerUnreachableError || e instanceof PeerError;
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Alive and still in the ring: two tries, so one lost datagram does not declare a peer dead. */
async function alive(node: DhtNode, peer: NodeRef): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const r = await node.call(peer, 'ping', {});
      return r.member && r.id === peer.id;
    } catch (e) {
      if (!unusable(e)) throw e;
    }
  }
  return false;
}

/**
 * Pings every successor; a dead one is dropped, and if the first changed the node asks its new
 * first successor for that one's successors (the lecture: peer 5 leaves abruptly; 4 makes 8 its
 * successor and 8's successor its second successor).
 */
export async function checkSuccessors(node: DhtNode): Promise<void> {
  if (!node.member) return;
  const epoch = node.epoch;
  const list = [...node.successors];
  const up = await Promise.all(list.map((s) => alive(node, s)));
  if (node.epoch !== epoch) return;
  const dead = list.filter((_, i) => !up[i]);
  for (const d of dead) {
    node.log(`successor ${describeRef(d)} does not answer: dropped`);
    node.forget(d.id);
  }
  if (dead.length > 0 || node.successors.length < node.params.successors) await refreshSuccessors(node, epoch);
}

/** successors := [s, s's successors…] from the first successor that answers. */
export async function refreshSuccessors(node: DhtNode, epoch = node.epoch): Promise<void> {
  for (let tries = 0; tries <= node.params.successors; tries++) {
    const first = node.successors[0] ?? fallbackSuccessor(node);
    if (!first) return;
    try {
      const state = await node.call(first, 'state', {});
      if (node.epoch !== epoch) return;
      if (!state.member) throw new PeerError(`${first.name} is no longer a member`);
      node.setSuccessors([first, ...state.successors]);
      return;
    } catch (e) {
      if (!unusable(e)) throw e;
      node.forget(first.id);
    }
  }
}

/** With every successor gone, the nearest finger (or the predecessor, in a ring of two) stands in. */
function fallbackSuccessor(node: DhtNode): NodeRef | undefined {
  const candidates = [...node.fingers, node.predecessor].filter((n): n is NodeRef => !!n && n.id !== node.self.id);
  const m = node.params.m;
  const ahead = (n: NodeRef) => (n.id - node.self.id + 2 ** m) % 2 ** m;
  const best = candidates.sort((a, b) => ahead(a) - ahead(b))[0];
  if (best) node.log(`lost every successor; trying ${describeRef(best)}`);
  return best;
}

export async function checkPredecessor(node: DhtNode): Promise<void> {
  const p = node.predecessor;
  if (!node.member || !p) return;
  if (await alive(node, p)) return;
  if (node.predecessor?.id !== p.id) return;
  node.log(`predecessor ${describeRef(p)} does not answer: cleared (its keys are now this node's)`);
  node.predecessor = null;
}

/** Chord's stabilize: if our successor has a predecessor between us, that one is our successor; then notify it. */
export async function stabilize(node: DhtNode): Promise<void> {
  if (!node.member) return;
  const epoch = node.epoch;
  const version = node.linkVersion;
  if (node.successors.length === 0) {
    // Alone, until a node that joined through us notifies us: it is our successor too.
    if (node.predecessor) node.setSuccessors([node.predecessor]);
    return;
  }
  const s = node.successors[0]!;
  let state;
  try {
    state = await node.call(s, 'state', {});
    if (!state.member) throw new PeerError(`${s.name} is no longer a member`);
  } catch (e) {
    if (!unusable(e)) throw e;
    if (node.epoch === epoch) node.forget(s.id);
    return;
  }
  let successor = s;
  let list = state.successors;
  const x = state.predecessor;
  if (x && x.id !== node.self.id && inOpen(x.id, node.self.id, s.id)) {
    try {
      const closer = await node.call(x, 'state', {});
      if (closer.member) [successor, list] = [x, closer.successors];
    } catch (e) {
      if (!unusable(e)) throw e;
    }
  }
  if (node.epoch !== epoch || node.linkVersion !== version) return;
  node.setSuccessors([successor, ...list]);
  try {
    await node.call(successor, 'notify', { node: node.self });
  } catch (e) {
    if (!unusable(e)) throw e;
  }
}

/** finger[i] := successor(id + 2^i), reusing the previous finger when it also covers this start. */
export async function fixFingers(node: DhtNode): Promise<void> {
  if (!node.member) return;
  if (node.params.mode === 'ring') {
    node.fingers = [];
    return;
  }
  const { m } = node.params;
  const epoch = node.epoch;
  if (node.fingers.length !== m) node.fingers = Array.from({ length: m }, (_, i) => node.fingers[i] ?? null);
  let previous: { start: number; node: NodeRef } | undefined;
  for (let i = 0; i < m; i++) {
    const start = fingerStart(node.self.id, i, m);
    const succ = node.successors[0] ?? node.self;
    let finger: NodeRef | null = node.fingers[i] ?? null;
    if (inHalfOpen(start, node.self.id, succ.id)) finger = succ;
    // successor(start) is the previous finger when no peer can sit between: start in (previous start, previous finger].
    else if (previous && clockwise(previous.start, start, m) <= clockwise(previous.start, previous.node.id, m)) finger = previous.node;
    else {
      try {
        finger = (await resolve(node, start, async (owner) => owner)).owner;
      } catch (e) {
        node.log(`finger ${i} (start ${start}): ${message(e)}`);
      }
    }
    if (node.epoch !== epoch) return;
    node.fingers[i] = finger;
    previous = finger ? { start, node: finger } : undefined;
  }
}

/**
 * Copies the keys this node owns to its first `replicas` successors when its neighbourhood or
 * its owned keys changed (and every 20th round anyway, to heal a copy lost with a peer).
 */
export async function replicate(node: DhtNode, last: { signature: string; round: number }): Promise<void> {
  if (!node.member || node.params.replicas === 0) return;
  const targets = node.successors.slice(0, node.params.replicas);
  const signature = `${node.predecessor?.id ?? '-'}|${targets.map((t) => t.id).join(',')}|${node.store.ownedVersion}`;
  last.round++;
  if (signature === last.signature && last.round % 20 !== 0) return;
  const owned = node.store.all().filter((i) => node.owns(i.id));
  if (await node.pushReplicas(owned)) last.signature = signature;
}

/** Starts the periodic repairs with the ring's periods; returns a stop. */
export function startMaintenance(node: DhtNode): () => void {
  const { periods } = node.params;
  const last = { signature: '', round: 0 };
  const guarded = (what: string, task: () => Promise<void>) => async () => {
    try {
      await task();
    } catch (e) {
      node.log(`${what}: ${message(e)}`);
    }
  };
  const stops = [
    node.deps.clock.every(periods.ping, guarded('ping', async () => {
      await checkSuccessors(node);
      await checkPredecessor(node);
    })),
    node.deps.clock.every(periods.stabilize, guarded('stabilize', async () => {
      await stabilize(node);
      await replicate(node, last);
    })),
    node.deps.clock.every(periods.fingers, guarded('fingers', () => fixFingers(node))),
  ];
  return () => stops.forEach((stop) => stop());
}
