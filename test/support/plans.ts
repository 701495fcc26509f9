import type { LabPlan } from '../../orchestrator/topology/types.js';

/** h1 on a, r1 between a and b: the smallest routed plan, for unit tests. */
export const linePlan: LabPlan = {
  lab: 'line',
  networks: [
    { name: 'a', subnet: '10.9.1.0/24', gateway: '10.9.1.1' },
    { name: 'b', subnet: '10.9.2.0/24', gateway: '10.9.2.1' },
  ],
  nodes: [
    { name: 'h1', role: 'host', forwards: false, interfaces: [{ network: 'a', address: '10.9.1.2', prefix: 24, impairment: {} }], routes: [{ destination: '10.9.2.0/24', via: '10.9.1.3' }], config: { x: 1 } },
    { name: 'r1', role: 'router', forwards: true, interfaces: [{ network: 'a', address: '10.9.1.3', prefix: 24, impairment: {} }, { network: 'b', address: '10.9.2.2', prefix: 24, impairment: {} }], routes: [], config: {} },
  ],
  hosts: [{ name: 'h1', address: '10.9.1.2' }, { name: 'r1', address: '10.9.1.3' }],
};
