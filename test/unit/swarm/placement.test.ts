import { describe, expect, it } from 'vitest';
import { PlacementError, allowedHosts, placeNodes, type PlacementHost, type PlacementNode } from '../../../orchestrator/swarm/placement.js';

const hostsOf = (m: number, labels: (i: number) => Record<string, string> = () => ({})): PlacementHost[] =>
  Array.from({ length: m }, (_, i) => ({ name: `h${i + 1}`, labels: labels(i) }));
const peers = (n: number, network = 'wan'): PlacementNode[] => Array.from({ length: n }, (_, i) => ({ name: `p${i}`, networks: [network], forwards: false }));
const loads = (placement: Map<string, string>, hosts: PlacementHost[]) => hosts.map((h) => [...placement.values()].filter((x) => x === h.name).length);

/** A core router, R access routers each with a LAN of `size` hosts behind it. */
function campus(r: number, size: number): PlacementNode[] {
  const nodes: PlacementNode[] = [{ name: 'core', networks: Array.from({ length: r }, (_, i) => `up${i}`), forwards: true }];
  for (let i = 0; i < r; i++) {
    nodes.push({ name: `ar${i}`, networks: [`up${i}`, `lan${i}`], forwards: true });
    for (let j = 0; j < size; j++) nodes.push({ name: `h${i}-${j}`, networks: [`lan${i}`], forwards: false });
  }
  return nodes;
}

describe('placement', () => {
  it.each([[1, 1], [3, 1], [3, 2], [10, 3], [50, 4], [1000, 5], [7, 7], [2, 5]])('places every one of %i peers on one network over %i hosts, at most ⌈N/M⌉ each, in contiguous chunks', (n, m) => {
    const hosts = hostsOf(m);
    const placement = placeNodes(peers(n), hosts);
    expect(placement.size).toBe(n);
    expect(Math.max(...loads(placement, hosts))).toBeLessThanOrEqual(Math.ceil(n / m));
    // Chunks: consecutive peers change host at most M-1 times.
    const order = peers(n).map((p) => placement.get(p.name));
    expect(order.filter((h, i) => i > 0 && h !== order[i - 1]).length).toBeLessThanOrEqual(m - 1);
  });

  it('is deterministic', () => {
    const nodes = campus(4, 6);
    expect([...placeNodes(nodes, hostsOf(3))]).toEqual([...placeNodes(nodes, hostsOf(3))]);
  });

  it('keeps each LAN with its access router, and balances the LANs over the hosts', () => {
    const nodes = campus(4, 5); // 25 nodes, 2 hosts: share 13
    const hosts = hostsOf(2);
    const placement = placeNodes(nodes, hosts);
    for (let i = 0; i < 4; i++) {
      const lan = nodes.filter((n) => n.networks.includes(`lan${i}`)).map((n) => placement.get(n.name));
      expect(new Set(lan).size).toBe(1);
    }
    expect(loads(placement, hosts).sort()).toEqual([12, 13]);
  });

  it('hello over two hosts: the router joins its first network; the other network crosses to the second host', () => {
    const hello: PlacementNode[] = [
      { name: 'client', networks: ['left'], forwards: false },
      { name: 'r1', networks: ['left', 'right'], forwards: true },
      { name: 'server', networks: ['right'], forwards: false },
    ];
    expect(Object.fromEntries(placeNodes(hello, hostsOf(2)))).toEqual({ client: 'h1', r1: 'h1', server: 'h2' });
    expect(Object.fromEntries(placeNodes(hello, hostsOf(1)))).toEqual({ client: 'h1', r1: 'h1', server: 'h1' });
    // A router whose networks fit one host's share keeps them together.
    expect(new Set(placeNodes(hello, hostsOf(1)).values()).size).toBe(1);
  });

  it('a host-role node on two networks keeps both networks on its host', () => {
    const nodes: PlacementNode[] = [...peers(2, 'a'), { name: 'dual', networks: ['a', 'b'], forwards: false }, { name: 'q', networks: ['b'], forwards: false }, ...peers(4, 'c').map((p) => ({ ...p, name: `c${p.name}` }))];
    const placement = placeNodes(nodes, hostsOf(2));
    expect(new Set(['p0', 'p1', 'dual', 'q'].map((n) => placement.get(n))).size).toBe(1);
  });

  it('honours host: NAME and host: KEY=VALUE, and counts pinned nodes in the balance', () => {
    const hosts = hostsOf(3, (i) => ({ zone: i === 2 ? 'b' : 'a' }));
    const nodes: PlacementNode[] = [{ name: 'pinned', networks: ['x'], forwards: false, host: 'h2' }, { name: 'far', networks: ['y'], forwards: false, host: 'zone=b' }, ...peers(4, 'z')];
    const placement = placeNodes(nodes, hosts);
    expect(placement.get('pinned')).toBe('h2');
    expect(placement.get('far')).toBe('h3');
    expect(loads(placement, hosts).every((l) => l === 2)).toBe(true);
  });

  it('says which hosts and labels exist when host: matches none', () => {
    const hosts = hostsOf(2, () => ({ zone: 'a' }));
    expect(() => allowedHosts({ name: 'x', networks: [], forwards: false, host: 'h9' }, hosts)).toThrow(/nodes\.x\.host: no host named "h9"; the hosts are \[h1, h2\]/);
    expect(() => allowedHosts({ name: 'x', networks: [], forwards: false, host: 'zone=b' }, hosts)).toThrow(PlacementError);
    expect(() => allowedHosts({ name: 'x', networks: [], forwards: false, host: 'zone=b' }, hosts)).toThrow(/h1 \{zone=a\}.*docker node update --label-add zone=b/s);
  });
});
