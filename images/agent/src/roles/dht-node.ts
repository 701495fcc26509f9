import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { parseNodeConfig } from '../dht/config.js';
import { startDht } from '../dht/daemon.js';
import { readHosts } from '../dht/hosts.js';
import type { AgentRole } from './role.js';

// A peer of the circular DHT (node.config: see dht/config.ts). It is ready once it listens;
// joining the ring (through config.bootstrap, or when dht-setup says so) happens after, so a
// restarted node rejoins on its own. (Its ARP entries are pinned by the daemon, as every
// node's: common/neighbours.ts.) Also answers echo and bulk, like a host.
export const dhtNode: AgentRole = {
  name: 'dht-node',
  async start(node) {
    const config = parseNodeConfig(node.config);
    const address = node.interfaces[0]?.address;
    if (!address) throw new Error(`dht-node ${node.node} has no network interface`);
    const stops = await Promise.all([startEcho(), startBulkServices()]);
    const daemon = await startDht({ name: node.node, address, config, hosts: readHosts(), log });
    return () => {
      daemon.close();
      stops.forEach((stop) => stop());
    };
  },
};
