import { createHash } from 'node:crypto';
import { impairmentPlan } from '../../../../orchestrator/impairment/apply.js';
import { accumulateChange, effectiveImpairment } from '../../../../orchestrator/impairment/effective.js';
import { runCommands } from '../../../../orchestrator/impairment/execute.js';
import { delayerArgv, delayerConfig, delayerConfigPath } from '../../../../orchestrator/impairment/delayer.js';
import { delayHooks, delayRules, delaySettings, groupSenders, macFromIpv4, type DelaySettings } from '../../../../orchestrator/impairment/ingress.js';
import type { ImpairmentBackend, ImpairmentChange, LinkImpairment } from '../../../../orchestrator/impairment/spec.js';
import type { AgentNodeConfig } from '../common/node-config.js';
import { log } from '../common/records.js';
import { run, runStatus } from '../common/run.js';
import { DelayerProcess } from './delayer-process.js';
import { devicesByAddress } from './devices.js';

/** One end of a link: what the topology configured, and what changed while the lab runs. */
interface Endpoint {
  node: string;
  address: string;
  configured: LinkImpairment;
  change?: ImpairmentChange;
}

interface Link {
  network: string;
  device: string;
  /** This link's NFQUEUE numbers start here: its own outgoing queue, then one per group of senders. */
  firstQueue: number;
  self: Endpoint;
  neighbors: Endpoint[];
  delayers: Map<number, DelayerProcess>;
}

const current = (e: Endpoint) => effectiveImpairment(e.configured, {}, e.change);

/** Each queue's seed: stable for a lab seed, different for every node, network and queue. */
const queueSeed = (seed: number, node: string, queue: number) => createHash('sha256').update(`${seed}:${node}:${queue}`).digest().readUInt32BE(0) || 1;

/**
 * Owns the impairment of every interface of this node. With netem, each node shapes what it
 * sends. With the userspace backend, each node shapes its own rates, holds its own ICMP, and
 * holds the TCP and UDP it RECEIVES for as long as each sender's settings say
 * (orchestrator/impairment/ingress.ts says why).
 */
export class ImpairmentController {
  private constructor(
    private readonly node: string,
    private readonly backend: ImpairmentBackend,
    private seed: number,
    private readonly netemSeeded: boolean,
    private readonly links: Map<string, Link>,
  ) {}

  static async create(node: AgentNodeConfig): Promise<ImpairmentController | undefined> {
    if (!node.impairment) return undefined;
    const devices = await devicesByAddress();
    const links = new Map<string, Link>();
    for (const [index, i] of node.interfaces.entries()) {
      const device = devices.get(i.address);
      if (!device) throw new Error(`no interface has address ${i.address} (network ${i.network}); found ${[...devices.keys()].join(', ')}`);
      await enforceMac(device, i.address);
      links.set(i.network, {
        network: i.network,
        device,
        firstQueue: 100 * (index + 1),
        self: { node: node.node, address: i.address, configured: i.impairment },
        neighbors: (i.neighbors ?? []).map((n) => ({ node: n.node, address: n.address, configured: n.impairment })),
        delayers: new Map(),
      });
    }
    const controller = new ImpairmentController(node.node, node.impairment.backend, node.impairment.seed, node.impairment.seeded === true, links);
    for (const link of links.values()) await controller.apply(link);
    return controller;
  }

  /**
   * A change on `network`, for one member (`target`) or all. Every member hears of every change
   * on its networks: with the userspace backend a sender's new delay is carried out by its
   * receivers. Returns this node's own settings when it was a target.
   */
  async change(network: string, change: ImpairmentChange, target?: string, seed?: number): Promise<LinkImpairment | undefined> {
    const link = this.links.get(network);
    if (!link) throw new Error(`this node has no interface on network "${network}"; its networks are [${[...this.links.keys()].join(', ')}]`);
    if (seed !== undefined) this.seed = seed;
    for (const e of [link.self, ...link.neighbors]) {
      if (target === undefined || e.node === target) e.change = accumulateChange(e.change, change);
    }
    await this.apply(link);
    return target === undefined || target === this.node ? current(link.self) : undefined;
  }

  /** What each interface has now (its own settings, as a sender). */
  status(): { network: string; device: string; impairment: LinkImpairment }[] {
    return [...this.links.values()].map((l) => ({ network: l.network, device: l.device, impairment: current(l.self) }));
  }

  stop(): void {
    for (const link of this.links.values()) for (const d of link.delayers.values()) d.stop();
  }

  private async apply(link: Link): Promise<void> {
    const own = current(link.self);
    if (this.backend === 'netem') {
      const seed = this.netemSeeded ? queueSeed(this.seed, this.node, link.firstQueue) : undefined;
      await runCommands(impairmentPlan(link.device, own, { backend: 'netem', seed }).commands, runStatus);
    } else {
      await runCommands(impairmentPlan(link.device, own, { backend: 'userspace' }).commands, runStatus);
      await this.applyIngress(link);
    }
    log(`impairment ${link.network} (${link.device}, ${this.backend}): ${JSON.stringify(own)}`);
  }

  /** Delayers first, then the rules that feed them; unused delayers stop after their rules are gone. */
  private async applyIngress(link: Link): Promise<void> {
    const own = delaySettings(current(link.self));
    const ownQueue = Object.keys(own).length > 0 ? link.firstQueue : undefined;
    const groups = groupSenders(link.neighbors.map((n) => ({ address: n.address, impairment: current(n) })), link.firstQueue + 1);
    const wanted: [number, DelaySettings][] = [...(ownQueue === undefined ? [] : [[ownQueue, own] as [number, DelaySettings]]), ...groups.map((g): [number, DelaySettings] => [g.queue, g.settings])];
    for (const [queue, settings] of wanted) {
      const config = delayerConfig(settings, queueSeed(this.seed, this.node, queue));
      const running = link.delayers.get(queue);
      if (running) await running.reconfigure(delayerConfigPath(queue), config);
      else link.delayers.set(queue, await DelayerProcess.start(`${link.device}/q${queue}`, delayerArgv(queue), delayerConfigPath(queue), config));
    }
    if (wanted.length > 0 || link.delayers.size > 0) {
      await runCommands(delayHooks(link.device), runStatus);
      await run(['iptables-restore', '--noflush'], delayRules(link.device, ownQueue, groups));
    }
    for (const [queue, d] of link.delayers) {
      if (!wanted.some(([q]) => q === queue)) {
        d.stop();
        link.delayers.delete(queue);
      }
    }
  }
}

/** Receivers recognise senders by MAC; make ours the one derived from our address, whatever Docker chose. */
async function enforceMac(device: string, address: string): Promise<void> {
  const [link] = JSON.parse(await run(['ip', '-j', 'link', 'show', 'dev', device])) as { address: string }[];
  const mac = macFromIpv4(address);
  if (link?.address !== mac) await run(['ip', 'link', 'set', 'dev', device, 'address', mac]);
}
