import type { Labels } from '../runtime/runtime.js';

// Labels are the source of truth (DESIGN.md contract 3): destroy and inspect find a lab's
// objects through them alone, without the topology file.
export const LABEL = {
  lab: 'emunet.lab',
  node: 'emunet.node',
  role: 'emunet.role',
  network: 'emunet.network',
  configHash: 'emunet.config-hash',
  owner: 'emunet.owner',
  /** Comma-separated `network=address` pairs of a node, for inspect without engine round trips. */
  addresses: 'emunet.addresses',
  topology: 'emunet.topology',
  /** `netem`, `userspace`, or `none` for a lab deployed without impairments. */
  impairmentBackend: 'emunet.impairment-backend',
  /** Short-lived helper containers (e.g. the firewall helper), not lab nodes. */
  helper: 'emunet.helper',
  /** Swarm deploys: the host (hosts file name) whose engine runs the node. */
  host: 'emunet.host',
} as const;

export const labLabels = (lab: string): Labels => ({ [LABEL.lab]: lab });

export const containerName = (lab: string, node: string) => `emunet-${lab}-${node}`;
export const networkName = (lab: string, network: string) => `emunet-${lab}-${network}`;

/** The comment that marks a host firewall rule as belonging to a lab. */
export const ruleComment = (lab: string) => `${LABEL.lab}=${lab}`;
