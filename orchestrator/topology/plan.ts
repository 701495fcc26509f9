// Topology -> LabPlan: every subnet, address, gateway, route and hosts entry decided up front,
// without side effects, so that deploy only carries the plan out (and tests need no Docker).
import { planDns } from '../dns/plan.js';
import { planP2p } from '../p2p/plan.js';
import { getRole } from '../roles/registry.js';
import { allocateInterfaces, allocateSubnets } from './allocate.js';
import { PlanError } from './errors.js';
import { formatCidr, formatIpv4, nthAddress } from './ipv4.js';
import { routesFor } from './routes.js';
import type { LabPlan, PlannedNetwork, PlannedNode, Topology } from './types.js';

export interface PlanOptions {
  /** CIDRs of the host's Docker networks that are not this lab's: allocation steers clear of them. */
  taken: string[];
}

/** Throws PlanError when the lab cannot be laid out (subnet clash, pool exhausted, subnet full). */
export function planLab(topology: Topology, options: PlanOptions): LabPlan {
  const subnets = allocateSubnets(topology.networks, topology.pool, options.taken);
  const interfaces = allocateInterfaces(topology.nodes, subnets, topology.networks);
  const networks: PlannedNetwork[] = [...subnets].map(([name, subnet]) => ({
    name,
    subnet: formatCidr(subnet),
    // Docker's bridge takes the first host address; allocation never hands it to a node.
    gateway: formatIpv4(nthAddress(subnet, 1)),
  }));
  const attached = topology.nodes.map((node) => ({
    name: node.name,
    role: node.role,
    forwards: getRole(node.role).forwards,
    interfaces: interfaces.get(node.name) ?? [],
    config: node.config,
  }));
  const dns = planDns(topology, topology.nodes.map((n, i) => ({ ...n, interfaces: attached[i]!.interfaces })));
  const p2p = planP2p(attached);
  const nodes: PlannedNode[] = attached.map((node) => {
    const resolver = dns.resolvers.get(node.name);
    return { ...node, config: p2p.get(node.name) ?? dns.configs.get(node.name) ?? node.config, routes: routesFor(node, attached, networks), ...(resolver ? { resolver } : {}) };
  });
  return { lab: topology.name, networks, nodes, hosts: hostsEntries(nodes) };
}

/** `client` resolves to its primary address; `client.left` to its address on network left. */
function hostsEntries(nodes: PlannedNode[]): LabPlan['hosts'] {
  return nodes.flatMap((node) => {
    const primary = node.interfaces[0];
    if (primary === undefined) throw new PlanError(`node "${node.name}" joins no network`, 'give it at least one network');
    return [
      { name: node.name, address: primary.address },
      ...node.interfaces.map((i) => ({ name: `${node.name}.${i.network}`, address: i.address })),
    ];
  });
}
