import type { Reporter } from '../deploy/lab.js';
import type { LabPlan, Topology } from '../topology/types.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { HostEngine } from './engines.js';
import type { HostsFile } from './hosts.js';
import { planOverlays, type SwarmLayout } from './networks.js';
import { placeNodes, type PlacementHost } from './placement.js';

export class SwarmNotReadyError extends Error {}

/**
 * The engines a multi-host lab runs on, one of them a Swarm manager. Built from a hosts file,
 * or from the local engine alone (a one-node Swarm).
 */
export class Cluster {
  readonly runtime: ClusterRuntime;

  constructor(readonly hosts: HostEngine[], readonly managerName: string | undefined, private readonly builder: HostEngine) {
    const manager = hosts.find((h) => h.name === managerName) ?? hosts[0]!;
    this.runtime = new ClusterRuntime(hosts.map((h) => ({ name: h.name, runtime: h.runtime })), manager.runtime);
  }

  /**
   * `builder` is the engine emunet builds images on (the local one); it need not be a host.
   * Nothing is contacted yet: doctor must be able to report an unreachable host.
   */
  static fromHosts(file: HostsFile, builder: HostEngine): Cluster {
    const hosts = file.hosts.map((h) => (h.endpoint === builder.endpoint ? builder.as(h.name, h.labels) : HostEngine.connect(h)));
    return new Cluster(hosts, file.manager, builder);
  }

  /** The manager: named in the hosts file, else the first host whose engine manages the Swarm. */
  async manager(): Promise<HostEngine> {
    if (this.managerName !== undefined) return this.hosts.find((h) => h.name === this.managerName)!;
    for (const h of this.hosts) if ((await h.swarm().catch(() => undefined))?.isManager) return h;
    return this.hosts[0]!;
  }

  /** Every host must be a ready member of the manager's Swarm; returns each host's labels (file + Swarm node). */
  async members(): Promise<PlacementHost[]> {
    const manager = await this.manager();
    const state = await manager.swarm();
    if (state.state !== 'active' || !state.isManager) {
      throw new SwarmNotReadyError(
        `host ${manager.name} (${manager.endpoint}) is not a Swarm manager (swarm: ${state.state}${state.error ? `, ${state.error}` : ''})\n` +
          `  fix: on that host run \`docker swarm init --advertise-addr ADDRESS\` (ADDRESS: its address the other hosts reach); \`emunet doctor --engine swarm\` checks the rest`,
      );
    }
    const nodes = await manager.nodes();
    return Promise.all(this.hosts.map(async (h) => {
      const s = h === manager ? state : await h.swarm();
      const node = nodes.find((n) => n.id === s.nodeId);
      if (s.state !== 'active' || s.clusterId !== state.clusterId || !node) {
        throw new SwarmNotReadyError(`host ${h.name} (${h.endpoint}) is not in ${manager.name}'s Swarm (swarm: ${s.state})\n  fix: on ${h.name} run \`docker swarm join --token TOKEN ${state.address}:2377\` (TOKEN: \`docker swarm join-token -q worker\` on ${manager.name})`);
      }
      if (node.state !== 'ready') {
        throw new SwarmNotReadyError(`host ${h.name}: its Swarm node ${node.hostname} is ${node.state}\n  fix: \`docker node ls\` on ${manager.name}; check that 2377/tcp and 7946/tcp+udp are open between the hosts`);
      }
      return { name: h.name, labels: { ...node.labels, ...h.labels } };
    }));
  }

  /** Places the nodes, plans the overlays, and puts the agent image on every host that lacks it. */
  async prepare(topology: Topology, plan: LabPlan, image: string, reporter: Reporter): Promise<SwarmLayout> {
    const hosts = await this.members();
    const byName = new Map(topology.nodes.map((n) => [n.name, n]));
    const placement = placeNodes(
      plan.nodes.map((n) => ({ name: n.name, networks: n.interfaces.map((i) => i.network), forwards: n.forwards, ...(byName.get(n.name)?.host ? { host: byName.get(n.name)!.host! } : {}) })),
      hosts,
    );
    const layout = planOverlays(plan, placement, hosts.map((h) => h.name));
    const used = this.hosts.filter((h) => [...placement.values()].includes(h.name));
    for (const h of used) {
      if (await h.ensureImage(image, this.builder)) reporter.done(`image ${image} copied to ${h.name}`);
    }
    const counts = hosts.map((h) => `${h.name}: ${[...placement.values()].filter((x) => x === h.name).length}`);
    reporter.done(`swarm: overlay networks on ${(await this.manager()).name}; nodes per host ${counts.join(', ')}`);
    return layout;
  }
}
