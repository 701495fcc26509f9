// What the orchestrator tells an agent about its node. Mirrors the orchestrator's PlannedNode;
// kept as a separate type because agents are built for Node 18 inside the image.

export interface AgentNodeConfig {
  lab: string;
  node: string;
  role: string;
  interfaces: { network: string; address: string; prefix: number }[];
  routes: { destination: string; via: string }[];
  config: Record<string, unknown>;
}

export const NODE_CONFIG_ENV = 'EMUNET_NODE';

export function readNodeConfig(env: NodeJS.ProcessEnv): AgentNodeConfig {
  const raw = env[NODE_CONFIG_ENV];
  if (!raw) throw new Error(`${NODE_CONFIG_ENV} is not set: this container was not started by emunet`);
  return JSON.parse(raw) as AgentNodeConfig;
}
