import { describe, expect, it } from 'vitest';
import { endpointRange, planOverlays } from '../../../orchestrator/swarm/networks.js';
import { containerSpec, networkSpecs } from '../../../orchestrator/deploy/specs.js';
import { linePlan } from '../../support/plans.js';

describe('overlay network planning', () => {
  it('gives Docker the highest free block for its per-host endpoints, away from the planned addresses', () => {
    expect(endpointRange('10.9.1.0/24', '10.9.1.1', ['10.9.1.2', '10.9.1.3'], 1)).toBe('10.9.1.252/30');
    expect(endpointRange('10.9.1.0/24', '10.9.1.1', ['10.9.1.2'], 5)).toBe('10.9.1.248/29');
    expect(endpointRange('10.9.1.0/24', '10.9.1.1', ['10.9.1.2'], 7)).toBe('10.9.1.240/29'); // the top /29 loses its broadcast address
    // The top is taken: the next free block down.
    expect(endpointRange('10.9.1.0/24', '10.9.1.1', ['10.9.1.254', '10.9.1.249'], 2)).toBe('10.9.1.244/30');
    expect(endpointRange('10.9.1.0/29', '10.9.1.1', ['10.9.1.2', '10.9.1.3', '10.9.1.4', '10.9.1.5'], 1)).toBeUndefined();
  });

  it('spans each network over its members\' hosts and ranges each', () => {
    const layout = planOverlays(linePlan, new Map([['h1', 'x'], ['r1', 'y']]), ['y', 'x']);
    expect(Object.fromEntries(layout.spans)).toEqual({ a: ['y', 'x'], b: ['y'] });
    // Two hosts need two endpoints and a spare: the top /30 minus the broadcast address.
    expect(Object.fromEntries(layout.ipRanges)).toEqual({ a: '10.9.1.252/30', b: '10.9.2.252/30' });
  });

  it('explains a subnet too full for the endpoints', () => {
    const full = { ...linePlan, networks: [{ name: 'a', subnet: '10.9.1.0/30', gateway: '10.9.1.1' }, linePlan.networks[1]!] };
    expect(() => planOverlays(full, new Map([['h1', 'x'], ['r1', 'y']]), ['x', 'y'])).toThrow(/network "a" \(10\.9\.1\.0\/30\) has no free block/);
  });

  it('turns the specs into attachable overlays and labels each node with its host', () => {
    const swarm = planOverlays(linePlan, new Map([['h1', 'x'], ['r1', 'y']]), ['x', 'y']);
    const ctx = { image: 'emunet/agent:abc', owner: 'alice', topologyFile: '/t/line.yaml', swarm };
    expect(networkSpecs(linePlan, ctx).map((n) => [n.name, n.driver, n.internal, n.ipRange])).toEqual([
      ['emunet-line-a', 'overlay', true, '10.9.1.252/30'],
      ['emunet-line-b', 'overlay', true, '10.9.2.252/30'],
    ]);
    expect(containerSpec(linePlan, linePlan.nodes[1]!, ctx).labels['emunet.host']).toBe('y');
    const local = { image: 'emunet/agent:abc', owner: 'alice', topologyFile: '/t/line.yaml' };
    expect(networkSpecs(linePlan, local)[0]!.driver).toBeUndefined();
    expect(containerSpec(linePlan, linePlan.nodes[1]!, local).labels['emunet.host']).toBeUndefined();
  });
});
