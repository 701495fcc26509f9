// Address allocation: subnets for networks without one, addresses for attachments without one.
// Deterministic: declaration order decides who gets which block and which address.
import { effectiveImpairment } from '../impairment/effective.js';
import { PlanError } from './errors.js';
import {
  blockSize, broadcastAddress, canonical, formatCidr, formatIpv4, networkAddress, nthAddress, overlaps, parseCidr, parseIpv4, type Cidr,
} from './ipv4.js';
import type { NetworkDef, NodeDef, PlannedInterface } from './types.js';

/**
 * network name -> subnet, in declaration order. `taken` are the CIDRs of the host's other Docker
 * networks (not this lab's own, when redeploying); non-IPv4 entries (Docker's IPv6 subnets)
 * cannot clash and are ignored.
 */
export function allocateSubnets(networks: NetworkDef[], pool: string, taken: string[]): Map<string, Cidr> {
  const occupied = taken.flatMap((text) => parseCidr(text) ?? []);
  const given = new Map<string, Cidr>();
  for (const network of networks) {
    if (network.subnet === undefined) continue;
    const subnet = canonical(parseTopologyCidr(network.subnet, `networks.${network.name}.subnet`));
    const clash = occupied.find((other) => overlaps(other, subnet));
    if (clash !== undefined) {
      throw new PlanError(
        `subnet ${network.subnet} of network "${network.name}" overlaps ${formatCidr(clash)}, already used by another Docker network on this host`,
        `change networks.${network.name}.subnet, or remove the other network (\`emunet destroy <lab>\` if another lab owns it)`,
      );
    }
    given.set(network.name, subnet);
  }
  const poolCidr = parseTopologyCidr(pool, 'pool');
  // Allocated blocks avoid the given subnets too, including those declared further down.
  const used = [...occupied, ...given.values()];
  const subnets = new Map<string, Cidr>();
  for (const network of networks) {
    const subnet = given.get(network.name) ?? firstFreeBlock(poolCidr, network.prefix, used);
    if (subnet === undefined) {
      throw new PlanError(
        `no free /${network.prefix} left in pool ${pool} for network "${network.name}" (${used.length} subnets on this host or in this lab are in the way)`,
        'choose another `pool:`, or destroy labs you no longer need (`emunet destroy <lab>`)',
      );
    }
    if (!given.has(network.name)) used.push(subnet);
    subnets.set(network.name, subnet);
  }
  return subnets;
}

/** The lowest block of the pool overlapping nothing in `used`, jumping past each clash. */
function firstFreeBlock(pool: Cidr, prefix: number, used: Cidr[]): Cidr | undefined {
  const size = blockSize(prefix);
  for (let start = networkAddress(pool); start + size - 1 <= broadcastAddress(pool); ) {
    const block = { address: start, prefix };
    const clash = used.find((other) => overlaps(other, block));
    if (clash === undefined) return block;
    start = Math.max(start + size, Math.ceil((broadcastAddress(clash) + 1) / size) * size);
  }
  return undefined;
}

/**
 * node name -> its interfaces, in attachment order. Static addresses are kept; the others are
 * given the lowest free address from the second host address up (the first is the gateway),
 * nodes served in declaration order. Each interface gets its effective impairment.
 */
export function allocateInterfaces(nodes: NodeDef[], subnets: Map<string, Cidr>, networks: NetworkDef[]): Map<string, PlannedInterface[]> {
  const networkImpairments = new Map(networks.map((n) => [n.name, n.impairment]));
  const used = new Map<string, Set<number>>();
  for (const [name, subnet] of subnets) {
    used.set(name, new Set([networkAddress(subnet), nthAddress(subnet, 1), broadcastAddress(subnet)]));
  }
  for (const node of nodes) {
    for (const a of node.attachments) if (a.address !== undefined) used.get(a.network)?.add(parseTopologyIpv4(a.address, node.name));
  }
  return new Map(
    nodes.map((node) => [
      node.name,
      node.attachments.map((attachment): PlannedInterface => {
        const subnet = subnets.get(attachment.network);
        const taken = used.get(attachment.network);
        if (subnet === undefined || taken === undefined) throw new PlanError(`node "${node.name}" joins unknown network "${attachment.network}"`, 'load the topology with loadTopology, which checks it');
        const address = attachment.address === undefined ? lowestFree(subnet, taken, node.name, attachment.network) : parseTopologyIpv4(attachment.address, node.name);
        taken.add(address);
        const impairment = effectiveImpairment(networkImpairments.get(attachment.network) ?? {}, attachment.impairment);
        return { network: attachment.network, address: formatIpv4(address), prefix: subnet.prefix, impairment };
      }),
    ]),
  );
}

function lowestFree(subnet: Cidr, taken: Set<number>, node: string, network: string): number {
  for (let address = nthAddress(subnet, 2); address < broadcastAddress(subnet); address++) {
    if (!taken.has(address)) return address;
  }
  throw new PlanError(
    `network "${network}" (${formatCidr(subnet)}) has no address left for node "${node}"`,
    `give network ${network} a larger subnet (a shorter prefix length than /${subnet.prefix})`,
  );
}

// Topologies reaching the planner were validated; these guard against hand-built ones.
function parseTopologyCidr(text: string, where: string): Cidr {
  const cidr = parseCidr(text);
  if (cidr === undefined) throw new PlanError(`${where}: expected a subnet in CIDR form like 10.213.1.0/24, found "${text}"`);
  return cidr;
}

function parseTopologyIpv4(text: string, node: string): number {
  const address = parseIpv4(text);
  if (address === undefined) throw new PlanError(`node "${node}": expected an IPv4 address like 10.213.1.10, found "${text}"`);
  return address;
}
