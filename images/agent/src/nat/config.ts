// Node settings of the NAT lab's roles, checked when the agent starts: a bad key stops the agent
// with the node, the key, what was expected and what was found.
import type { AgentNodeConfig } from '../common/node-config.js';
import { NAT_TYPES, type NatType } from './rules.js';

export const STUN_PORT = 3478;
export const PEER_PORT = 5000;

export interface GatewaySettings { type: NatType; inside: string; outside: string }
export interface DirectorySettings { port: number; /** Seconds a registration lives without a refresh. */ lifetime: number }
export interface RelaySettings { port: number; /** Seconds an allocation lives without a Refresh (RFC 8656: 600 by default). */ lifetime: number }
export interface PeerSettings {
  user: string;
  /** Node name or address of the directory. */
  directory: string;
  directoryPort: number;
  /** Node name or address of the relay calls may use. */
  relay?: string;
  relayPort: number;
  port: number;
  /** ms between registration refreshes: they also keep the NAT's mapping to the directory alive. */
  refresh: number;
}

class ConfigError extends Error {}

function reader(node: string, role: string, config: Record<string, unknown>, known: string[]) {
  const unknown = Object.keys(config).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new ConfigError(`node ${node} (${role}): unknown config key "${unknown[0]}"; known keys are [${known.join(', ')}]`);
  const fail = (key: string, expected: string): never => {
    throw new ConfigError(`node ${node} (${role}): config.${key} must be ${expected}, found ${JSON.stringify(config[key])}`);
  };
  return {
    string(key: string, fallback?: string): string {
      const v = config[key] ?? fallback;
      return typeof v === 'string' && v !== '' ? v : fail(key, 'a non-empty string');
    },
    optionalString(key: string): string | undefined {
      const v = config[key];
      return v === undefined ? undefined : typeof v === 'string' && v !== '' ? v : fail(key, 'a non-empty string');
    },
    number(key: string, fallback: number, min: number, max: number): number {
      const v = config[key] ?? fallback;
      return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail(key, `a whole number from ${min} to ${max}`);
    },
  };
}

export function parseGatewayConfig(node: AgentNodeConfig): GatewaySettings {
  const read = reader(node.node, 'nat', node.config, ['type', 'inside']);
  const type = read.string('type', 'restricted');
  if (!(NAT_TYPES as readonly string[]).includes(type)) throw new ConfigError(`node ${node.node} (nat): config.type must be one of [${NAT_TYPES.join(', ')}], found ${JSON.stringify(type)}`);
  const networks = node.interfaces.map((i) => i.network);
  if (networks.length !== 2) throw new ConfigError(`node ${node.node} (nat): a NAT gateway joins exactly two networks (inside and outside), found ${networks.length}: [${networks.join(', ')}]`);
  const inside = read.string('inside', networks[0]);
  if (!networks.includes(inside)) throw new ConfigError(`node ${node.node} (nat): config.inside must name one of its networks [${networks.join(', ')}], found ${JSON.stringify(inside)}`);
  return { type: type as NatType, inside, outside: networks.find((n) => n !== inside)! };
}

export function parseDirectoryConfig(node: AgentNodeConfig): DirectorySettings {
  const read = reader(node.node, 'directory', node.config, ['port', 'lifetime']);
  return { port: read.number('port', STUN_PORT, 1, 65535), lifetime: read.number('lifetime', 60, 1, 86400) };
}

export function parseRelayConfig(node: AgentNodeConfig): RelaySettings {
  const read = reader(node.node, 'relay', node.config, ['port', 'lifetime']);
  return { port: read.number('port', STUN_PORT, 1, 65535), lifetime: read.number('lifetime', 600, 1, 86400) };
}

export function parsePeerConfig(node: AgentNodeConfig): PeerSettings {
  const read = reader(node.node, 'call-peer', node.config, ['user', 'directory', 'directory-port', 'relay', 'relay-port', 'port', 'refresh']);
  const user = read.string('user', node.node);
  if (!/^[\w.-]+$/.test(user)) throw new ConfigError(`node ${node.node} (call-peer): config.user must be a name of letters, digits, '.', '_' or '-', found ${JSON.stringify(user)}`);
  return {
    user,
    directory: read.string('directory'),
    directoryPort: read.number('directory-port', STUN_PORT, 1, 65535),
    relay: read.optionalString('relay'),
    relayPort: read.number('relay-port', STUN_PORT, 1, 65535),
    port: read.number('port', PEER_PORT, 1, 65535),
    refresh: read.number('refresh', 3000, 100, 600_000),
  };
}
