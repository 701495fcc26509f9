// Static routes: how each node reaches the lab networks it is not attached to.
import type { PlannedNetwork, PlannedNode, Route } from './types.js';

type Attached = Pick<PlannedNode, 'name' | 'forwards' | 'interfaces'>;

/**
 * Routes of `origin` to every network it is not on, via the first forwarding node of a path
 * with the fewest forwarding hops. Only forwarding nodes carry transit traffic. Ties go to the
 * path found first: the origin's networks in attachment order, then routers in declaration
 * order. Unreachable networks get no route.
 */
export function routesFor(origin: Attached, nodes: Attached[], networks: PlannedNetwork[]): Route[] {
  // network -> address of the first hop towards it; '' for the origin's own networks.
  const firstHop = new Map<string, string>();
  const queue: string[] = [];
  for (const { network } of origin.interfaces) {
    if (!firstHop.has(network)) {
      firstHop.set(network, '');
      queue.push(network);
    }
  }
  const routers = nodes.filter((node) => node.forwards && node.name !== origin.name);
  // Breadth-first over networks: each step crosses one router, so the first visit is the shortest.
  for (const here of queue) {
    const hopToHere = firstHop.get(here) ?? '';
    for (const router of routers) {
      const entry = router.interfaces.find((i) => i.network === here);
      if (entry === undefined) continue;
      for (const { network } of router.interfaces) {
        if (firstHop.has(network)) continue;
        firstHop.set(network, hopToHere === '' ? entry.address : hopToHere);
        queue.push(network);
      }
    }
  }
  return networks.flatMap(({ name, subnet }) => {
    const via = firstHop.get(name);
    return via === undefined || via === '' ? [] : [{ destination: subnet, via }];
  });
}
