// Round-trip times the topology promises, for `expect:` formulas: `rtt.A.B` is the sum of the
// one-way delays of every hop from A to B and back, along the lab's routes (fewest routers),
// with each hop's delay that of the member sending on that network (network value, the
// member's own override, the point's swept value).
import type { LinkImpairment } from '../impairment/spec.js';
import { getRole } from '../roles/registry.js';
import type { Topology } from '../topology/types.js';

/** One hop: who sends, on which network. */
interface Hop { sender: string; network: string }

/** The hops from `from` to `to` (empty when unreachable or the same node). */
export function pathHops(topology: Topology, from: string, to: string): Hop[] | undefined {
  if (from === to) return [];
  const nodes = new Map(topology.nodes.map((n) => [n.name, n]));
  const forwards = (name: string) => { const role = nodes.get(name)?.role; return role !== undefined && getRole(role).forwards; };
  const networksOf = (name: string) => nodes.get(name)?.attachments.map((a) => a.network) ?? [];
  const target = new Set(networksOf(to));
  // Breadth-first over (node, hops so far): a packet leaves a node on one of its networks and
  // arrives at the destination, or at a router that sends it on.
  const queue: { at: string; hops: Hop[] }[] = [{ at: from, hops: [] }];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const { at, hops } = queue.shift()!;
    for (const network of networksOf(at)) {
      const hop = [...hops, { sender: at, network }];
      if (target.has(network)) return hop;
      for (const router of topology.nodes) {
        if (seen.has(router.name) || !forwards(router.name) || !networksOf(router.name).includes(network)) continue;
        seen.add(router.name);
        queue.push({ at: router.name, hops: hop });
      }
    }
  }
  return undefined;
}

/** One-way delay in ms of what `sender` sends on `network`. */
type DelayOf = (sender: string, network: string) => number;

export function delayTable(topology: Topology, swept: Map<string, LinkImpairment>): DelayOf {
  return (sender, network) => {
    const node = topology.nodes.find((n) => n.name === sender);
    const net = topology.networks.find((n) => n.name === network);
    const own = node?.attachments.find((a) => a.network === network)?.impairment ?? {};
    // A swept network value replaces the network's and every member's own (as the live change does).
    const sweptDelay = swept.get(network)?.delayUs;
    return (sweptDelay ?? own.delayUs ?? net?.impairment.delayUs ?? 0) / 1000;
  };
}

/** `rtt.A.B` for every ordered pair of nodes that can reach each other, in ms. */
export function rttNames(topology: Topology, delay: DelayOf): Record<string, number> {
  const names: Record<string, number> = {};
  const oneWay = (a: string, b: string) => pathHops(topology, a, b)?.reduce((sum, h) => sum + delay(h.sender, h.network), 0);
  for (const a of topology.nodes) {
    for (const b of topology.nodes) {
      if (a === b) continue;
      const there = oneWay(a.name, b.name);
      const back = oneWay(b.name, a.name);
      if (there !== undefined && back !== undefined) names[`rtt.${a.name}.${b.name}`] = there + back;
    }
  }
  return names;
}
