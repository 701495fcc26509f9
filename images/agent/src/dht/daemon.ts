// A dht-node's daemon: the protocol service on its UDP port, peers found through /etc/hosts,
// real time. Everything it does is in service.ts; this only wires sockets and clock to it.
import { realClock } from './clock.js';
import type { DhtNodeConfig } from './config.js';
import { resolveTarget } from './hosts.js';
import { DhtNode } from './node.js';
import { UdpRpc } from './rpc.js';
import { DhtService } from './service.js';

export interface DaemonOptions {
  name: string;
  /** The address peers reach this node at (its primary interface). */
  address: string;
  config: DhtNodeConfig;
  hosts: ReadonlyMap<string, string>;
  log(message: string): void;
}

export interface Daemon {
  service: DhtService;
  close(): void;
}

export async function startDht(o: DaemonOptions): Promise<Daemon> {
  const addressOf = (target: string) => resolveTarget(target, o.hosts, o.config.port);
  // Fail at start-up, with the name, if a bootstrap node is not in this lab.
  for (const b of o.config.bootstrap) addressOf(b);
  let service: DhtService | undefined;
  const rpc = await UdpRpc.open({ port: o.config.port, handler: (request) => service!.handle(request) });
  const identity = { name: o.name, host: o.address, port: o.config.port, ...(o.config.id === undefined ? {} : { id: o.config.id }) };
  const node = new DhtNode(identity, o.config.params, { transport: rpc, clock: realClock, log: o.log });
  service = new DhtService(node, o.config, addressOf);
  o.log(`dht: ${o.name} (id ${node.self.id}, m=${o.config.params.m}) listening on udp ${o.address}:${o.config.port}; bootstrap [${o.config.bootstrap.join(', ')}]${o.config.create ? ', creates the ring if none answers' : ''}`);
  service.startAutoJoin();
  return {
    service,
    close() {
      service?.stop();
      rpc.close();
    },
  };
}
