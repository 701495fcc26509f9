import { LABEL } from '../deploy/labels.js';
import { EngineError, type ContainerInfo, type ContainerRuntime, type ContainerSpec, type EngineInfo, type ExecOptions, type ExecResult, type LabelSelector, type NetworkInfo, type NetworkSpec } from '../runtime/runtime.js';

// One ContainerRuntime over several engines, so every stage (deploy, exec, impairment, capture,
// experiments, destroy) works on a multi-host lab unchanged. Nodes are plain containers created
// on the engine of the host their `emunet.host` label names (not Swarm services): exec, archive
// copy, logs, fault injection and in-container impairment then stay exactly the local engine's,
// and a node keeps its planned address and name instead of a task's. Overlay networks are
// created on the Swarm manager; container ids are unique across engines, so calls by id go to
// the engine that holds the container.

export interface EngineHandle {
  name: string;
  runtime: ContainerRuntime;
}

export interface ClusterRuntimeOptions {
  /** How long a removed overlay may take to vanish (workers release their endpoints asynchronously). */
  networkRemovalMs: number;
  sleep: (ms: number) => Promise<void>;
}

const DEFAULTS: ClusterRuntimeOptions = { networkRemovalMs: 30_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** A node's overlay shares its subnet with a bridge made meanwhile on the same engine: plan again. */
export class SubnetClashError extends EngineError {}

export class ClusterRuntime implements ContainerRuntime {
  private readonly where = new Map<string, ContainerRuntime>();
  /** Container id -> the networks it was created on (to explain a failed join). */
  private readonly networksOf = new Map<string, string[]>();
  private readonly options: ClusterRuntimeOptions;

  constructor(private readonly hosts: EngineHandle[], private readonly manager: ContainerRuntime, options: Partial<ClusterRuntimeOptions> = {}) {
    if (hosts.length === 0) throw new Error('a cluster needs at least one host');
    this.options = { ...DEFAULTS, ...options };
  }

  info(): Promise<EngineInfo> {
    return this.manager.info();
  }

  /** Every engine's networks, once each (a worker lists the overlays it uses under the manager's id). */
  async listNetworks(selector?: LabelSelector): Promise<NetworkInfo[]> {
    const engines = [this.manager, ...this.hosts.map((h) => h.runtime).filter((r) => r !== this.manager)];
    const lists = await Promise.all(engines.map((e) => e.listNetworks(selector)));
    const seen = new Map<string, NetworkInfo>();
    for (const n of lists.flat()) if (!seen.has(n.id)) seen.set(n.id, n);
    return [...seen.values()];
  }

  createNetwork(spec: NetworkSpec): Promise<NetworkInfo> {
    return this.manager.createNetwork(spec);
  }

  /** Retries while workers still hold endpoints, then waits until no engine lists it: destroy then means gone. */
  async removeNetwork(idOrName: string): Promise<void> {
    const deadline = Date.now() + this.options.networkRemovalMs;
    const owner = (await this.engineOfNetwork(idOrName)) ?? this.manager;
    for (;;) {
      try {
        await owner.removeNetwork(idOrName);
        break;
      } catch (e) {
        if (!/active endpoints|in use/i.test((e as Error).message) || Date.now() > deadline) throw e;
        await this.options.sleep(250);
      }
    }
    while ((await this.engineOfNetwork(idOrName)) !== undefined) {
      if (Date.now() > deadline) throw new EngineError(`network ${idOrName} was removed but is still listed after ${this.options.networkRemovalMs / 1000} s`);
      await this.options.sleep(250);
    }
  }

  async listContainers(selector: LabelSelector): Promise<ContainerInfo[]> {
    const lists = await Promise.all(this.hosts.map(async (h) => ({ h, list: await h.runtime.listContainers(selector) })));
    const seen = new Map<string, ContainerInfo>();
    for (const { h, list } of lists) {
      for (const c of list) {
        this.where.set(c.id, h.runtime);
        if (!seen.has(c.id)) seen.set(c.id, c);
      }
    }
    return [...seen.values()];
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const name = spec.labels[LABEL.host];
    const host = name === undefined ? this.hosts[0]! : this.hosts.find((h) => h.name === name);
    if (!host) throw new EngineError(`container ${spec.name}: no host "${name}" in this cluster; its hosts are [${this.hosts.map((h) => h.name).join(', ')}]`);
    const id = await host.runtime.createContainer(spec);
    this.where.set(id, host.runtime);
    this.networksOf.set(id, (spec.networks ?? []).map((n) => n.network));
    return id;
  }

  /**
   * An overlay's local copy on a host is made when the first container joins it, in the same
   * address space as that engine's bridges: if a bridge with the same subnet appeared there
   * after the plan was made (another lab deploying at the same moment), the join cannot take
   * the gateway ("failed to allocate gateway … Address already in use" in dockerd's log) and
   * times out after 20 s. Nothing retried on the same container helps (Docker then no longer
   * finds the network), so the clash is named, and `deploy` plans again around it.
   */
  async startContainer(id: string): Promise<void> {
    const engine = await this.engineOf(id);
    try {
      await engine.startContainer(id);
    } catch (e) {
      if (!/attaching to network failed/.test((e as Error).message)) throw e;
      const clash = await this.subnetClash(id, engine);
      if (clash) throw new SubnetClashError(`${clash}; joining it failed: ${(e as Error).message}`);
      throw e;
    }
  }

  /** A bridge on the container's engine with the subnet of one of the container's overlays. */
  private async subnetClash(id: string, engine: ContainerRuntime): Promise<string | undefined> {
    const wanted = this.networksOf.get(id) ?? [];
    const overlays = (await this.manager.listNetworks()).filter((n) => wanted.includes(n.name) || wanted.includes(n.id));
    const local = await engine.listNetworks();
    for (const o of overlays) {
      const other = local.find((n) => n.id !== o.id && n.subnets.some((s) => o.subnets.includes(s)));
      if (other) return `overlay ${o.name} (${o.subnets.join(', ')}) has the subnet of network ${other.name} on the same engine, created after the plan was made`;
    }
    return undefined;
  }

  async removeContainer(id: string): Promise<void> {
    const engine = await this.engineOf(id).catch(() => undefined);
    if (engine) await engine.removeContainer(id); // gone everywhere: removal is idempotent
    this.where.delete(id);
    this.networksOf.delete(id);
  }

  async exec(id: string, argv: string[], options?: ExecOptions): Promise<ExecResult> {
    return (await this.engineOf(id)).exec(id, argv, options);
  }

  async logs(id: string, tail: number): Promise<string> {
    return (await this.engineOf(id)).logs(id, tail);
  }

  async followLogs(id: string, onLine: (line: string) => void, since?: number): Promise<() => void> {
    return (await this.engineOf(id)).followLogs(id, onLine, since);
  }

  async control(id: string, action: 'kill' | 'pause' | 'unpause' | 'restart'): Promise<void> {
    return (await this.engineOf(id)).control(id, action);
  }

  async copyFrom(id: string, path: string): Promise<Buffer> {
    return (await this.engineOf(id)).copyFrom(id, path);
  }

  async memoryUsage(id: string): Promise<number> {
    return (await this.engineOf(id)).memoryUsage(id);
  }

  /** The engine that holds a container: known from create/list, else looked up on every host. */
  private async engineOf(id: string): Promise<ContainerRuntime> {
    const known = this.where.get(id);
    if (known) return known;
    await this.listContainers({ [LABEL.owner]: true });
    const found = this.where.get(id);
    if (!found) throw new EngineError(`no host of this cluster has container ${id.slice(0, 12)}`, 404);
    return found;
  }

  private async engineOfNetwork(idOrName: string): Promise<ContainerRuntime | undefined> {
    const matches = (n: NetworkInfo) => n.id === idOrName || n.name === idOrName;
    if ((await this.manager.listNetworks()).some(matches)) return this.manager;
    for (const h of this.hosts) if ((await h.runtime.listNetworks()).some(matches)) return h.runtime;
    return undefined;
  }
}
