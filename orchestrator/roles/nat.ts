import type { RoleDescriptor } from './role.js';
import { router } from './router.js';

// The NAT lab's roles (agents in images/agent/src/nat/). Their settings are node.config, checked
// by the agent at start-up (images/agent/src/nat/config.ts); these say what the containers need.

// A router that also translates: it forwards (inside hosts route through it, routes elsewhere
// point at it for the inside network) with the router's capabilities and sysctls; iptables and
// conntrack act in its own namespace only, never privileged.
export const nat: RoleDescriptor = {
  ...router,
  name: 'nat',
  summary: 'a NAT gateway from its inside network to its outside one (config: type cone | restricted | symmetric, inside); outside hosts cannot initiate to inside ones',
};

const service = (name: string, summary: string): RoleDescriptor => ({ name, summary, forwards: false, capabilities: ['NET_ADMIN', 'NET_RAW'], sysctls: {} });

export const directory = service('directory', 'the presence directory: users register name -> observed public address (STUN Binding, RFC 5389) and are looked up and called through it (udp 3478)');
export const relay = service('relay', 'a TURN relay (RFC 8656 subset over UDP, no authentication) for peers that cannot reach each other directly (udp 3478)');
export const callPeer = service('call-peer', 'a peer that registers a user name with the directory, answers calls and runs p2p-call (config: user, directory, relay)');
