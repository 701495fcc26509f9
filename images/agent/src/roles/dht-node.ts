import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { readFile } from 'node:fs/promises';
import { log } from '../common/records.js';
import { run } from '../common/run.js';
import { realClock } from '../dht/clock.js';
import { parseNodeConfig } from '../dht/config.js';
import { startDht } from '../dht/daemon.js';
import { readHosts } from '../dht/hosts.js';
import { startPinning } from '../dht/neighbours.js';
import type { AgentRole } from './role.js';

// A peer of the circular DHT (node.config: see dht/config.ts). It is ready once it listens;
// joining the ring (through config.bootstrap, or when dht-setup says so) happens after, so a
// restarted node rejoins on its own. It pins the ARP entries it learns (dht/neighbours.ts: the
// host's neighbour table is too small for every peer of a large lab to reach every other).
// Also answers echo and bulk, like a host.
export const dhtNode: AgentRole = {
  name: 'dht-node',
  async start(node) {
    const config = parseNodeConfig(node.config);
    const address = node.interfaces[0]?.address;
    if (!address) throw new Error(`dht-node ${node.node} has no network interface`);
    const stops = await Promise.all([startEcho(), startBulkServices()]);
    const unpin = startPinning({ read: () => readFile('/proc/net/arp', 'utf8'), run, every: realClock.every, log });
    const daemon = await startDht({ name: node.node, address, config, hosts: readHosts(), log });
    return () => {
      unpin();
      daemon.close();
      stops.forEach((stop) => stop());
    };
  },
};
