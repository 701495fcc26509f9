import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PlanError } from '../../../orchestrator/topology/errors.js';
import { loadTopology, parseTopology } from '../../../orchestrator/topology/load.js';
import { planLab } from '../../../orchestrator/topology/plan.js';
import type { LabPlan } from '../../../orchestrator/topology/types.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/valid/${name}`, import.meta.url));
const node = (plan: LabPlan, name: string) => plan.nodes.find((n) => n.name === name);
const addressOf = (plan: LabPlan, name: string, network: string) => node(plan, name)?.interfaces.find((i) => i.network === network)?.address;

const lab = (networks: string, nodes = '') => parseTopology(`name: t\nnetworks:\n${networks}nodes:${nodes === '' ? ' {}' : `\n${nodes}`}\n`, '<inline>', {});

describe('subnet allocation', () => {
  it('carves /24 blocks from the pool in declaration order, skipping taken and given subnets', () => {
    const topology = lab('  a: {}\n  b: { subnet: 10.213.1.0/24 }\n  c: { prefix: 23 }\n  d:\n');
    const plan = planLab(topology, { taken: ['10.213.0.0/24', '172.17.0.0/16', 'fd00::/64'] });
    expect(plan.networks).toEqual([
      { name: 'a', subnet: '10.213.2.0/24', gateway: '10.213.2.1' },
      { name: 'b', subnet: '10.213.1.0/24', gateway: '10.213.1.1' },
      { name: 'c', subnet: '10.213.4.0/23', gateway: '10.213.4.1' },
      { name: 'd', subnet: '10.213.3.0/24', gateway: '10.213.3.1' },
    ]);
  });

  it('refuses a given subnet that another Docker network uses, naming both', () => {
    const topology = lab('  a: { subnet: 10.213.1.0/24 }\n');
    const plan = () => planLab(topology, { taken: ['10.213.0.0/16'] });
    expect(plan).toThrow(PlanError);
    expect(plan).toThrow('subnet 10.213.1.0/24 of network "a" overlaps 10.213.0.0/16, already used by another Docker network on this host');
  });

  it('says so when the pool is exhausted', () => {
    const topology = parseTopology('name: t\npool: 10.9.0.0/23\nnetworks:\n  a: {}\n  b: {}\nnodes: {}\n', '<inline>', {});
    expect(() => planLab(topology, { taken: ['10.9.0.0/24'] })).toThrow(/no free \/24 left in pool 10.9.0.0\/23 for network "b"/);
  });
});

describe('address allocation', () => {
  it('keeps static addresses and gives the others the lowest free host address after the gateway', () => {
    const topology = lab(
      '  lan: { subnet: 10.1.0.0/24 }\n',
      '  a: { role: host, networks: [lan] }\n  b: { role: host, networks: { lan: { address: 10.1.0.3 } } }\n  c: { role: host, networks: [lan] }\n',
    );
    const plan = planLab(topology, { taken: [] });
    expect(['a', 'b', 'c'].map((n) => addressOf(plan, n, 'lan'))).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);
    expect(node(plan, 'a')?.interfaces[0]?.prefix).toBe(24);
  });

  it('fails clearly when a subnet is full', () => {
    const topology = lab('  lan: { subnet: 10.1.0.0/29 }\n', '  a: { role: host, networks: [lan] }\n');
    const full = { ...topology, nodes: Array.from({ length: 6 }, (_, i) => ({ name: `n${i}`, role: 'host', attachments: [{ network: 'lan', impairment: {} }], config: {} })) };
    expect(() => planLab(full, { taken: [] })).toThrow(/network "lan" \(10.1.0.0\/29\) has no address left for node "n5"/);
  });
});

describe('routes on line.yaml (h1 -a- r1 -b- r2 -c- h2)', async () => {
  const plan = planLab(await loadTopology(fixture('line.yaml'), {}), { taken: [] });
  const routes = (name: string) => node(plan, name)?.routes;

  it('sends a host through its router for every network it is not on', () => {
    const viaR1 = addressOf(plan, 'r1', 'a');
    expect(routes('h1')).toEqual([
      { destination: '10.213.2.0/24', via: viaR1 },
      { destination: '10.213.3.0/24', via: viaR1 },
    ]);
  });

  it('sends routers to the next router on the path', () => {
    expect(routes('r1')).toEqual([{ destination: '10.213.3.0/24', via: addressOf(plan, 'r2', 'b') }]);
    expect(routes('r2')).toEqual([{ destination: '10.213.1.0/24', via: addressOf(plan, 'r1', 'b') }]);
  });

  it('routes back from the far host and marks routers as forwarding', () => {
    expect(routes('h2')?.map((r) => r.via)).toEqual([addressOf(plan, 'r2', 'c'), addressOf(plan, 'r2', 'c')]);
    expect(plan.nodes.map((n) => [n.name, n.forwards])).toEqual([['h1', false], ['r1', true], ['r2', true], ['h2', false]]);
  });

  it('lists every node by name and by name.network in hosts', () => {
    expect(plan.hosts.filter((h) => h.name.startsWith('r1'))).toEqual([
      { name: 'r1', address: addressOf(plan, 'r1', 'a') },
      { name: 'r1.a', address: addressOf(plan, 'r1', 'a') },
      { name: 'r1.b', address: addressOf(plan, 'r1', 'b') },
    ]);
    expect(plan.hosts.find((h) => h.name === 'h2')?.address).toBe('10.213.3.100');
  });
});

describe('route selection', () => {
  it('prefers the path with fewer routers, and never transits a host', () => {
    // x reaches z directly through r3 (one hop) rather than r1 then r2 (two hops); the
    // multi-homed host m joins x and z but does not forward.
    const topology = lab(
      '  x: {}\n  y: {}\n  z: {}\n  island: {}\n',
      [
        '  h: { role: host, networks: [x] }',
        '  m: { role: host, networks: [x, z] }',
        '  r1: { role: router, networks: [x, y] }',
        '  r2: { role: router, networks: [y, z] }',
        '  r3: { role: router, networks: [x, z] }',
        '  lone: { role: host, networks: [island] }',
        '',
      ].join('\n'),
    );
    const plan = planLab(topology, { taken: [] });
    const subnet = (name: string) => plan.networks.find((n) => n.name === name)?.subnet;
    expect(node(plan, 'h')?.routes).toEqual([
      { destination: subnet('y'), via: addressOf(plan, 'r1', 'x') },
      { destination: subnet('z'), via: addressOf(plan, 'r3', 'x') },
    ]);
    expect(node(plan, 'lone')?.routes).toEqual([]);
  });
});
