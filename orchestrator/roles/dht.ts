import type { RoleDescriptor } from './role.js';

// A peer of the circular DHT (issue 8): the agent serves the DHT protocol on UDP 4000 (JSON
// requests, see images/agent/src/dht/messages.ts); node.config goes to it untouched and is
// checked there (dht/config.ts). It needs nothing beyond what a host needs.
export const dhtNode: RoleDescriptor = {
  name: 'dht-node',
  summary: 'a peer of a circular DHT (ring or Chord shortcuts, r successors, replication); joins through config.bootstrap or dht-setup',
  forwards: false,
  capabilities: ['NET_ADMIN', 'NET_RAW'],
  sysctls: {},
};
