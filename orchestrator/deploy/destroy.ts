import type { ContainerRuntime, LabelSelector } from '../runtime/runtime.js';
import { mapLimit } from '../util/pool.js';
import { HostFirewall } from './firewall.js';
import { LABEL } from './labels.js';

export interface DestroyOptions {
  /** The lab to destroy; undefined destroys every emunet lab on this engine. */
  lab?: string;
  /** An image with iptables for the firewall helper; without one, firewall rules are left. */
  helperImage?: string;
  concurrency: number;
}

export interface DestroyReport {
  labs: string[];
  containers: number;
  networks: number;
  firewallRules: number;
}

/** Label-driven and idempotent: finds everything through labels, removes it, and is fine with nothing. */
export async function destroyLab(runtime: ContainerRuntime, o: DestroyOptions): Promise<DestroyReport> {
  const selector: LabelSelector = { [LABEL.lab]: o.lab ?? true };
  const containers = await runtime.listContainers(selector);
  const networks = await runtime.listNetworks(selector);
  const labs = new Set([...containers.map((c) => c.labels[LABEL.lab]!), ...networks.map((n) => n.labels[LABEL.lab]!)]);
  await mapLimit(containers, o.concurrency, (c) => runtime.removeContainer(c.id));
  if (o.lab === undefined) {
    // Helpers live for one firewall change; any still present were orphaned by a crash.
    const helpers = await runtime.listContainers({ [LABEL.helper]: true });
    await mapLimit(helpers, o.concurrency, (c) => runtime.removeContainer(c.id));
  }
  const firewallRules = o.helperImage ? await new HostFirewall(runtime, o.helperImage).removeRules(o.lab) : 0;
  await mapLimit(networks, o.concurrency, (n) => runtime.removeNetwork(n.id));
  return { labs: [...labs].sort(), containers: containers.length, networks: networks.length, firewallRules };
}
