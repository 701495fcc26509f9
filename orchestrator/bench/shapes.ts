// The labs the deploy benchmarks (and the scale test) build, as shapes of N nodes.
import type { LabShape } from './floor.js';

/** A router joins all LANs, so a host-to-host path crosses it (and the host firewall rules). */
export const lanCount = (n: number) => Math.max(2, Math.ceil(n / 10));

/** N nodes: router r1 on every LAN (⌈N/10⌉ of them), hosts h1..h(N-1) spread round-robin over the LANs. */
export function routedShape(n: number): LabShape {
  const lans = Array.from({ length: lanCount(n) }, (_, i) => `lan${i}`);
  const hosts = Array.from({ length: n - 1 }, (_, i) => ({ name: `h${i + 1}`, role: 'host', networks: [lans[i % lans.length]!] }));
  return { networks: lans, nodes: [{ name: 'r1', role: 'router', networks: lans }, ...hosts] };
}

/**
 * N DHT peers n1..nN on ⌈N/25⌉ LANs joined by router r1 (N + 1 containers), each peer joining the
 * ring through n1–n3 as it starts (as in topologies/dht.yaml). Several LANs rather than one: Docker
 * 20.10 keeps a per-network endpoint count that concurrent creates and removals on one network
 * can corrupt (dockerd then refuses to remove the network until it restarts, logging "Fixing
 * inconsistent endpoint_cnt" as it does); fewer endpoints per network make that rarer.
 */
export function dhtShape(n: number): LabShape {
  const lans = Array.from({ length: Math.max(1, Math.ceil(n / 25)) }, (_, i) => `lan${i}`);
  const peers = Array.from({ length: n }, (_, i) => ({ name: `n${i + 1}`, role: 'dht-node', networks: [lans[i % lans.length]!], config: '{ bootstrap: [n1, n2, n3] }' }));
  return { networks: lans, nodes: [{ name: 'r1', role: 'router', networks: lans }, ...peers] };
}
