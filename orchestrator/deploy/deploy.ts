import type { ImpairmentBackend } from '../impairment/spec.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { SwarmLayout } from '../swarm/networks.js';
import type { LabPlan } from '../topology/types.js';
import { mapLimit } from '../util/pool.js';
import { destroyLab } from './destroy.js';
import { HostFirewall } from './firewall.js';
import { bridgeName } from './firewall-rules.js';
import { labLabels } from './labels.js';
import type { Lab, Reporter } from './lab.js';
import { waitReady } from './ready.js';
import { containerSpec, networkSpecs } from './specs.js';

export interface DeployOptions {
  runtime: ContainerRuntime;
  /** The agent image tag every node runs. */
  image: string;
  owner: string;
  topologyFile: string;
  impairment?: { backend: ImpairmentBackend; seed: number; seeded: boolean };
  reporter: Reporter;
  /** Engine calls in flight at once. */
  concurrency: number;
  readyTimeoutMs: number;
  /** Ctrl-C / SIGTERM: deploy stops and rolls back what it created. */
  signal?: AbortSignal;
  /** Swarm: overlay networks, nodes on the hosts placed here (the runtime fans out by the host label). */
  swarm?: SwarmLayout;
}

export class LabExistsError extends Error {}

/** Creates the lab's networks and containers and waits for every agent; rolls back on any failure. */
export async function deployLab(plan: LabPlan, o: DeployOptions): Promise<Lab> {
  const existing = await o.runtime.listContainers(labLabels(plan.lab));
  const existingNets = await o.runtime.listNetworks(labLabels(plan.lab));
  if (existing.length > 0 || existingNets.length > 0) {
    throw new LabExistsError(
      `lab "${plan.lab}" is already running (${existing.length} containers, ${existingNets.length} networks)\n` +
        `  fix: destroy it first with \`emunet destroy ${plan.lab}\`, or give this topology another \`name:\``,
    );
  }
  const started = Date.now();
  const ctx = { image: o.image, owner: o.owner, topologyFile: o.topologyFile, impairment: o.impairment, swarm: o.swarm };
  const checkAbort = () => o.signal?.throwIfAborted();
  try {
    const networks = await mapLimit(networkSpecs(plan, ctx), o.concurrency, async (spec, i) => {
      checkAbort();
      const net = await o.runtime.createNetwork(spec);
      return { name: plan.networks[i]!.name, id: net.id, subnet: spec.subnet, bridge: bridgeName(net.id) };
    });
    const networksAt = Date.now();
    // Overlay traffic is bridged inside each network's own namespace, never by the host's
    // DOCKER-USER chain: routed lab traffic needs no host rule there (checked on a live Swarm).
    if (plan.nodes.some((n) => n.forwards) && !o.swarm) {
      await new HostFirewall(o.runtime, o.image).allowBridges(plan.lab, networks.map((n) => n.bridge));
    }
    let created = 0;
    const nodes = await mapLimit(plan.nodes, o.concurrency, async (node) => {
      checkAbort();
      const id = await o.runtime.createContainer(containerSpec(plan, node, ctx));
      await o.runtime.startContainer(id);
      o.reporter.progress('containers started', ++created, plan.nodes.length);
      return { name: node.name, role: node.role, id, interfaces: node.interfaces };
    });
    const containersAt = Date.now();
    checkAbort();
    await waitReady(o.runtime, nodes.map((n) => ({ node: n.name, id: n.id })), o.readyTimeoutMs, o.signal);
    const readyAt = Date.now();
    return {
      name: plan.lab,
      plan,
      image: o.image,
      impairmentBackend: o.impairment?.backend ?? 'none',
      impairmentSeeded: o.impairment?.seeded ?? true,
      networks,
      nodes,
      timings: { networksMs: networksAt - started, containersMs: containersAt - networksAt, readyMs: readyAt - containersAt, totalMs: readyAt - started },
    };
  } catch (e) {
    o.reporter.info(`deploy of ${plan.lab} failed; rolling back what it created…`);
    try {
      await destroyLab(o.runtime, { lab: plan.lab, helperImage: o.image, concurrency: o.concurrency });
    } catch (rollback) {
      // The deploy failure is what the user must see first; the rollback failure tells them what is left.
      const why = rollback instanceof Error ? rollback.message : String(rollback);
      if (e instanceof Error) e.message += `\n  rollback also failed (${why}); run \`emunet destroy ${plan.lab}\``;
    }
    throw e;
  }
}
