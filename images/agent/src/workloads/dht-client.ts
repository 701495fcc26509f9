// What the DHT workloads share: their common arguments (port), a UDP client socket, node names
// resolved through /etc/hosts, and the driver (dht/form.ts) with a seeded random source.
import { log } from '../common/records.js';
import { realClock } from '../dht/clock.js';
import { DHT_PORT } from '../dht/config.js';
import type { Driver, Peer } from '../dht/form.js';
import { expandNodes, readHosts, resolveTarget } from '../dht/hosts.js';
import { mulberry32 } from '../common/random.js';
import { UdpRpc } from '../dht/rpc.js';
import { numberArg } from './workload.js';

/** Longest a request to a daemon may take: a join or a lookup past dead peers waits on timeouts. */
export const CLIENT_TIMEOUT_MS = 15_000;

export interface DhtClient extends Driver {
  port: number;
  /** This node's own daemon. */
  local: Peer;
  peers(nodes: unknown, what?: string): Peer[];
  close(): void;
}

export async function openClient(args: Record<string, unknown>): Promise<DhtClient> {
  const port = numberArg(args, 'port', DHT_PORT);
  const seed = numberArg(args, 'seed', 1);
  const rpc = await UdpRpc.open();
  let hosts: ReadonlyMap<string, string> | undefined;
  return {
    transport: rpc,
    clock: realClock,
    random: mulberry32(seed),
    log,
    timeoutMs: CLIENT_TIMEOUT_MS,
    port,
    local: { name: 'localhost', host: '127.0.0.1', port },
    peers(nodes, what = 'nodes') {
      hosts ??= readHosts();
      return expandNodes(nodes, what).map((name) => ({ name, ...resolveTarget(name, hosts!, port) }));
    },
    close: () => rpc.close(),
  };
}

export const oneToken = (s: string): string => s.replace(/\s+/g, '_');
