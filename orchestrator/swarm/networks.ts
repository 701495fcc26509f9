// Overlay network planning for a Swarm deploy: pure, like the rest of the plan.
//
// Every Swarm node that attaches a container to an overlay network also puts a load-balancer
// endpoint (`lb-NETWORK`) on it, and takes an address for it from the network's dynamic range.
// Docker hands those out from the bottom of the subnet, where our planned addresses live, and
// a planned node then fails to start with "Address already in use". So each overlay gets an
// explicit `IPRange` (the pool Docker allocates from on its own) that is a free block of the
// subnet: static node addresses may lie anywhere else in the subnet.
import { PlanError } from '../topology/errors.js';
import { blockSize, broadcastAddress, formatCidr, networkAddress, parseCidr, parseIpv4 } from '../topology/ipv4.js';
import type { LabPlan } from '../topology/types.js';
import type { Placement } from './placement.js';

/** What a Swarm deploy adds to the plan: where each node runs, and each overlay's dynamic range. */
export interface SwarmLayout {
  placement: Placement;
  /** network name -> the CIDR Docker may allocate endpoint addresses from. */
  ipRanges: Map<string, string>;
  /** network name -> the hosts it spans, in hosts order. */
  spans: Map<string, string[]>;
}

/**
 * The highest aligned block of `subnet` with room for `count` endpoint addresses, holding no
 * address in `used`, nor the gateway (Docker reserves the subnet's network and broadcast addresses).
 */
export function endpointRange(subnet: string, gateway: string, used: string[], count: number): string | undefined {
  const cidr = parseCidr(subnet)!;
  const first = networkAddress(cidr);
  const last = broadcastAddress(cidr);
  const taken = new Set([...used, gateway].map((a) => parseIpv4(a)!));
  // One spare: a host that leaves and rejoins the network briefly holds two.
  for (let prefix = 30; prefix >= cidr.prefix; prefix--) {
    const size = blockSize(prefix);
    for (let start = last + 1 - size; start >= first; start -= size) {
      const usable = size - (start === first ? 1 : 0) - (start + size - 1 === last ? 1 : 0);
      if (usable < count + 1) continue;
      let free = true;
      for (let a = start; a < start + size && free; a++) free = !taken.has(a);
      if (free) return formatCidr({ address: start, prefix });
    }
  }
  return undefined;
}

/** Each network's hosts (the hosts of its members) and its endpoint range. */
export function planOverlays(plan: LabPlan, placement: Placement, hostOrder: string[]): SwarmLayout {
  const ipRanges = new Map<string, string>();
  const spans = new Map<string, string[]>();
  for (const net of plan.networks) {
    const members = plan.nodes.filter((n) => n.interfaces.some((i) => i.network === net.name));
    const hosts = new Set(members.map((n) => placement.get(n.name)!));
    const span = hostOrder.filter((h) => hosts.has(h));
    spans.set(net.name, span);
    const used = members.flatMap((n) => n.interfaces.filter((i) => i.network === net.name).map((i) => i.address));
    const range = endpointRange(net.subnet, net.gateway, used, Math.max(1, span.length));
    if (range === undefined) {
      throw new PlanError(
        `network "${net.name}" (${net.subnet}) has no free block left for the Swarm's per-host endpoints (${span.length} host(s) need ${span.length + 1} addresses outside the nodes' ones)`,
        `give "${net.name}" a larger subnet (e.g. \`prefix: ${Math.max(8, Number(net.subnet.split('/')[1]) - 1)}\`), or fewer nodes on it`,
      );
    }
    ipRanges.set(net.name, range);
  }
  return { placement, ipRanges, spans };
}
