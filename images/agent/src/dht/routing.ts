// Routing decisions and the tables a stable ring should have. Pure: the node (node.ts) and the
// stability check (ring-check.ts) use the same definitions.
import type { RoutingMode } from './config.js';
import { clockwise, fingerStart, inHalfOpen, inOpen } from './ids.js';
import type { NodeRef, StepReply } from './messages.js';

export interface RoutingTable {
  self: NodeRef;
  mode: RoutingMode;
  m: number;
  successors: NodeRef[];
  fingers: (NodeRef | null | undefined)[];
}

const distinct = (nodes: NodeRef[]): NodeRef[] => [...new Map(nodes.map((n) => [n.id, n])).values()];

/**
 * One step of a lookup at `t.self`, skipping peers known to be dead (`exclude`). If the key
 * lies between this node and its (first live) successor, that successor owns it and the other
 * successors hold its replicas. Otherwise the query goes on: to the successor in ring mode; in
 * shortcuts mode to the finger that most closely precedes the key.
 */
export function routeStep(t: RoutingTable, key: number, exclude: ReadonlySet<number> = new Set()): StepReply {
  const live = (n: NodeRef | null | undefined): n is NodeRef => !!n && !exclude.has(n.id) && n.id !== t.self.id;
  const successors = distinct(t.successors.filter(live));
  // With every successor gone, the nearest live finger is the best guess of the successor.
  const byDistance = (a: NodeRef, b: NodeRef) => clockwise(t.self.id, a.id, t.m) - clockwise(t.self.id, b.id, t.m);
  const succ = successors[0] ?? distinct(t.fingers.filter(live)).sort(byDistance)[0] ?? t.self;
  if (inHalfOpen(key, t.self.id, succ.id)) return { done: true, owner: succ, successors: successors.filter((s) => s.id !== succ.id) };
  if (t.mode === 'ring') return { done: false, next: succ };
  // Fingers only, as in Chord's closest_preceding_finger: the successor list is for failures,
  // and letting it shorten the last hops would measure a different algorithm than the lecture's.
  const fingers = t.fingers.filter(live);
  const preceding = (fingers.length > 0 ? fingers : successors).filter((n) => inOpen(n.id, t.self.id, key));
  const best = preceding.sort(byDistance).at(-1);
  return { done: false, next: best ?? succ };
}

/** The members sorted by id (the order of the circle). */
export const circle = (members: NodeRef[]): NodeRef[] => [...members].sort((a, b) => a.id - b.id);

/** The first member at or clockwise after `id`. `sorted` must be non-empty and sorted by id. */
export function successorOf(sorted: NodeRef[], id: number): NodeRef {
  return sorted.find((n) => n.id >= id) ?? sorted[0]!;
}

export interface IdealTables {
  predecessor: NodeRef;
  successors: NodeRef[];
  fingers: NodeRef[];
}

/** What every member's tables are once the ring is stable: the next r peers, the previous one, and successor(id + 2^i). */
export function idealTables(members: NodeRef[], m: number, r: number): Map<number, IdealTables> {
  const sorted = circle(members);
  const n = sorted.length;
  return new Map(
    sorted.map((node, i) => [
      node.id,
      {
        predecessor: sorted[(i - 1 + n) % n]!,
        successors: Array.from({ length: Math.min(r, n - 1) }, (_, k) => sorted[(i + k + 1) % n]!),
        fingers: Array.from({ length: m }, (_, k) => successorOf(sorted, fingerStart(node.id, k, m))),
      },
    ]),
  );
}
