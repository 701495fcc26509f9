import { describe, expect, it } from 'vitest';
import { namesAt, withExpectations } from '../../../orchestrator/experiment/expect.js';
import { parseTopology } from '../../../orchestrator/topology/load.js';

const topology = parseTopology(
  `name: t
params: { objects: 10 }
networks:
  wan: { delay: 5ms, rate: 10mbit }
nodes:
  a: { role: host, networks: [wan] }
experiment:
  steps: []
  sweep: { networks.wan.delay: [20ms, 50ms] }
  expect: { udp_rtt: "2 * networks.wan.delay", goodput: "networks.wan.rate" }
`,
  '<t>',
  {},
);

describe('expectations', () => {
  it('see params and network values at each point, in ms and Mbit/s, swept values first', () => {
    expect(namesAt(topology, { 'networks.wan.delay': '50ms' })).toMatchObject({ 'params.objects': 10, 'networks.wan.delay': 50, 'networks.wan.rate': 10, 'networks.wan.loss': 0 });
    expect(namesAt(topology, {})['networks.wan.delay']).toBe(5);
  });

  it('put the expected value and measured/expected beside each summary row of the metric', () => {
    const row = { point: { 'networks.wan.delay': '20ms' }, step: '1', node: 'a', peer: 'b', metric: 'udp_rtt', unit: 'ms', n: 1, min: 42, p5: 42, p50: 42, mean: 42, p95: 42, max: 42, stddev: 0, ci95: 0 };
    const other = { ...row, metric: 'udp_loss' };
    expect(withExpectations([row, other], topology)).toEqual([{ ...row, expected: 40, ratio: 1.05 }, other]);
  });
});
