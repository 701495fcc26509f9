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

/** N DHT peers n1..nN on one network, each joining the ring through n1–n3 as it starts (as in topologies/dht.yaml). */
export function dhtShape(n: number): LabShape {
  const nodes = Array.from({ length: n }, (_, i) => ({ name: `n${i + 1}`, role: 'dht-node', networks: ['ring'], config: '{ bootstrap: [n1, n2, n3] }' }));
  return { networks: ['ring'], nodes };
}
