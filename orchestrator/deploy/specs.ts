import { createHash } from 'node:crypto';
import { getRole } from '../roles/registry.js';
import type { ContainerSpec, NetworkSpec } from '../runtime/runtime.js';
import type { ImpairmentBackend } from '../impairment/spec.js';
import type { SwarmLayout } from '../swarm/networks.js';
import type { LabPlan, PlannedNode } from '../topology/types.js';
import { LABEL, containerName, networkName } from './labels.js';

export interface SpecContext {
  image: string;
  owner: string;
  /** Absolute path of the topology file, recorded for inspect. */
  topologyFile: string;
  /** How links are impaired; undefined for a lab without impairments. */
  impairment?: { backend: ImpairmentBackend; seed: number; seeded: boolean };
  /** Swarm deploys: overlay networks and the host of each node; undefined on the local engine. */
  swarm?: SwarmLayout;
}

// Pure builders: plan -> the exact Docker objects to create. Executors only send these.

export function networkSpecs(plan: LabPlan, ctx: SpecContext): NetworkSpec[] {
  return plan.networks.map((n) => ({
    name: networkName(plan.lab, n.name),
    subnet: n.subnet,
    gateway: n.gateway,
    // Internal: Docker itself drops anything from these bridges towards the host's uplink.
    internal: true,
    labels: { [LABEL.lab]: plan.lab, [LABEL.network]: n.name, [LABEL.owner]: ctx.owner },
    // Internal overlays get no docker_gwbridge leg either: the lab stays as hermetic as on bridges.
    ...(ctx.swarm ? { driver: 'overlay' as const, ipRange: ctx.swarm.ipRanges.get(n.name)! } : {}),
  }));
}

/** What the agent in the container is told (env EMUNET_NODE); mirrors AgentNodeConfig. */
export function agentConfig(plan: LabPlan, node: PlannedNode, impairment?: SpecContext['impairment']) {
  // The userspace impairment backend delays at the receiver, so each member knows its neighbours' settings.
  const interfaces = node.interfaces.map((i) => ({
    ...i,
    neighbors: plan.nodes.flatMap((n) => n.interfaces.filter((j) => j.network === i.network && n !== node).map((j) => ({ node: n.name, address: j.address, impairment: j.impairment }))),
  }));
  return { lab: plan.lab, node: node.name, role: node.role, interfaces, routes: node.routes, config: node.config, ...(node.resolver ? { resolver: node.resolver } : {}), impairment };
}

export function containerSpec(plan: LabPlan, node: PlannedNode, ctx: SpecContext): ContainerSpec {
  const role = getRole(node.role);
  const env = { EMUNET_NODE: JSON.stringify(agentConfig(plan, node, ctx.impairment)) };
  const networks = node.interfaces.map((i) => ({ network: networkName(plan.lab, i.network), address: i.address }));
  const configHash = createHash('sha256').update(JSON.stringify({ image: ctx.image, env, networks, role })).digest('hex').slice(0, 16);
  return {
    name: containerName(plan.lab, node.name),
    hostname: node.name,
    image: ctx.image,
    labels: {
      [LABEL.lab]: plan.lab,
      [LABEL.node]: node.name,
      [LABEL.role]: node.role,
      [LABEL.configHash]: configHash,
      [LABEL.owner]: ctx.owner,
      [LABEL.topology]: ctx.topologyFile,
      [LABEL.impairmentBackend]: ctx.impairment?.backend ?? 'none',
      [LABEL.addresses]: node.interfaces.map((i) => `${i.network}=${i.address}/${i.prefix}`).join(','),
      ...(ctx.swarm ? { [LABEL.host]: ctx.swarm.placement.get(node.name)! } : {}),
    },
    env,
    cmd: ['daemon'],
    networks,
    capAdd: role.capabilities,
    sysctls: role.sysctls,
    // Every lab name resolves from /etc/hosts, so `ping server` works like on a real host.
    extraHosts: plan.hosts.map((h) => `${h.name}:${h.address}`),
    // Docker's embedded DNS forwards unknown names to these servers: pointing it at the
    // container's own loopback (where nothing listens) keeps name lookups inside the lab.
    dns: ['127.0.0.1'],
  };
}
