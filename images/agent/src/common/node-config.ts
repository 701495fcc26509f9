// What the orchestrator tells an agent about its node. Mirrors the orchestrator's PlannedNode;
// kept as a separate type because agents are built for Node 18 inside the image.

import type { ImpairmentBackend, LinkImpairment } from '../../../../orchestrator/impairment/spec.js';

export interface AgentNodeConfig {
  lab: string;
  node: string;
  role: string;
  interfaces: {
    network: string;
    address: string;
    prefix: number;
    impairment: LinkImpairment;
    /** The other members of the network and their impairments (the userspace backend delays at the receiver). */
    neighbors?: { node: string; address: string; impairment: LinkImpairment }[];
  }[];
  /** How links are impaired; absent when the lab has no impairment at all. */
  impairment?: { backend: ImpairmentBackend; seed: number; /** netem takes `seed` here (tc and Linux >= 6.6). */ seeded?: boolean };
  routes: { destination: string; via: string }[];
  config: Record<string, unknown>;
  /** The lab resolver /etc/resolv.conf names; absent: names resolve from /etc/hosts only. */
  resolver?: string;
}

export const NODE_CONFIG_ENV = 'EMUNET_NODE';

export function readNodeConfig(env: NodeJS.ProcessEnv): AgentNodeConfig {
  const raw = env[NODE_CONFIG_ENV];
  if (!raw) throw new Error(`${NODE_CONFIG_ENV} is not set: this container was not started by emunet`);
  return JSON.parse(raw) as AgentNodeConfig;
}
