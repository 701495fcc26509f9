import type { AgentNodeConfig } from '../common/node-config.js';

/** What a role runs inside its container. `start` resolves once the role serves; it returns a stop. */
export interface AgentRole {
  name: string;
  start(node: AgentNodeConfig): Promise<() => void>;
}
