import type { AgentNodeConfig } from '../common/node-config.js';

/** What a role runs inside its container. `start` resolves once the role serves; it returns a stop. */
export interface AgentRole {
  name: string;
  start(node: AgentNodeConfig): Promise<() => void>;
  /** Control requests other than the daemon's own (`status`, `impair`), e.g. `{op: 'dns-stats'}`; throws for ops it does not know. */
  control?(request: Record<string, unknown>): Promise<unknown>;
}
