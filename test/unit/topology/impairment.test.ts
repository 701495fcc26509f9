// Impairment keys in topologies: normalisation, effective values per interface, `impair` steps,
// and the semantic checks that need the network's and the member's values together.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../../orchestrator/topology/errors.js';
import { loadTopology, parseTopology } from '../../../orchestrator/topology/load.js';
import { planLab } from '../../../orchestrator/topology/plan.js';

const fixture = fileURLToPath(new URL('../../fixtures/valid/impaired.yaml', import.meta.url));

function problems(text: string): string[] {
  try {
    parseTopology(text, 'lab.yaml', {});
  } catch (error) {
    if (error instanceof TopologyError) return error.diagnostics.map((d) => `${d.line}:${d.col} ${d.path}: ${d.message}`);
    throw error;
  }
  return [];
}

const lab = (networks: string, nodes: string, steps = '') =>
  `name: t\nnetworks:\n${networks}nodes:\n${nodes}${steps === '' ? '' : `experiment:\n  steps:\n${steps}`}`;

describe('impairment keys of networks and attachments', () => {
  it('keeps network and member values apart, in base units ({} where none are given)', async () => {
    const topology = await loadTopology(fixture, {});
    expect(topology.networks).toEqual([
      { name: 'wan', prefix: 24, impairment: { delayUs: 40_000, jitterUs: 5_000, lossPct: 1, rateBps: 10_000_000 } },
      { name: 'lan', prefix: 24, impairment: {} },
    ]);
    expect(topology.nodes.map((n) => n.attachments)).toEqual([
      [{ network: 'wan', impairment: {} }],
      [{ network: 'wan', impairment: {} }],
      [{ network: 'wan', impairment: { rateBps: 1_000_000, downloadBps: 4_000_000, delayUs: 80_000 } }],
    ]);
  });

  it('plans each interface with its effective impairment: the network\'s, overridden by the member\'s', async () => {
    const plan = planLab(await loadTopology(fixture, {}), { taken: [] });
    const impairmentOf = (node: string) => plan.nodes.find((n) => n.name === node)?.interfaces[0]?.impairment;
    expect(impairmentOf('peer1')).toEqual({ delayUs: 40_000, jitterUs: 5_000, lossPct: 1, rateBps: 10_000_000 });
    expect(impairmentOf('peer3')).toEqual({ delayUs: 80_000, jitterUs: 5_000, lossPct: 1, rateBps: 1_000_000, downloadBps: 4_000_000 });
  });

  it('reports a setting that needs another once, at the network, not again for every member', () => {
    expect(problems(lab('  wan: { jitter: 5ms }\n', '  a: { role: host, networks: [wan] }\n  b: { role: host, networks: [wan] }\n'))).toEqual([
      '3:18 networks.wan.jitter: jitter varies the delay around its mean, but no delay is set',
    ]);
  });

  it('judges a member with the network\'s values: its own jitter is fine when the network has a delay', () => {
    expect(problems(lab('  wan: { delay: 10ms }\n', '  a: { role: host, networks: { wan: { jitter: 2ms } } }\n'))).toEqual([]);
    expect(problems(lab('  wan: {}\n', '  a: { role: host, networks: { wan: { jitter: 2ms } } }\n'))).toEqual([
      '5:47 nodes.a.networks.wan.jitter: jitter varies the delay around its mean, but no delay is set',
    ]);
  });

  it('points at the member when its override breaks the network\'s settings', () => {
    expect(problems(lab('  wan: { delay: 10ms, jitter: 2ms }\n', '  a:\n    role: host\n    networks:\n      wan: { delay: 0ms }\n'))).toEqual([
      '8:7 nodes.a.networks.wan: on node "a", with network "wan"\'s values: jitter varies the delay around its mean, but no delay is set',
    ]);
  });

  it('explains an unknown distribution with the choices', () => {
    expect(problems(lab('  wan: { delay: 10ms, jitter: 2ms, distribution: gaussian }\n', '  a: { role: host, networks: [wan] }\n'))).toEqual([
      '3:50 networks.wan.distribution: expected one of [normal, uniform, pareto, paretonormal], found a string ("gaussian")',
    ]);
  });
});

describe('experiment steps', () => {
  it('normalises both kinds, with `at` in milliseconds', async () => {
    const steps = (await loadTopology(fixture, {})).experiment?.steps;
    expect(steps).toEqual([
      { kind: 'workload', at: 5_000, node: 'peer1', run: 'probe', args: { target: 'peer2', count: 5 } },
      { kind: 'impair', network: 'wan', change: { set: { lossPct: 30 } } },
      { kind: 'impair', network: 'wan', node: 'peer3', change: { set: { down: true } } },
      { kind: 'impair', network: 'wan', change: { reset: true } },
      { kind: 'impair', at: 20_000, network: 'wan', change: { set: { delayUs: 100_000 } } },
    ]);
  });

  it('keeps sub-millisecond offsets', () => {
    const topology = parseTopology(lab('  wan: {}\n', '  a: { role: host, networks: [wan] }\n', '    - { at: 500us, impair: { network: wan, upload: 1mbit } }\n'), '<inline>', {});
    expect(topology.experiment?.steps[0]).toMatchObject({ at: 0.5 });
  });

  it('replays changes in order: a step may add jitter to a delay an earlier step set, but not after a reset', () => {
    const nodes = '  a: { role: host, networks: [wan] }\n';
    expect(problems(lab('  wan: {}\n', nodes, '    - { impair: { network: wan, delay: 10ms } }\n    - { impair: { network: wan, jitter: 2ms } }\n'))).toEqual([]);
    expect(problems(lab('  wan: {}\n', nodes, '    - { impair: { network: wan, delay: 10ms } }\n    - { impair: { network: wan, reset: true } }\n    - { impair: { network: wan, jitter: 2ms } }\n'))).toEqual([
      '10:41 experiment.steps[2].impair.jitter: jitter varies the delay around its mean, but no delay is set',
    ]);
  });

  it('points at the step when a change removes what the topology\'s settings need', () => {
    expect(problems(lab('  wan: { delay: 10ms, reorder: 5% }\n', '  a: { role: host, networks: [wan] }\n', '    - { impair: { network: wan, delay: 0ms } }\n'))).toEqual([
      '8:9 experiment.steps[0].impair: after this step: reorder sends some packets without the delay so they overtake the others, but no delay is set',
    ]);
  });

  it('refuses rate and upload together in one change', () => {
    expect(problems(lab('  wan: {}\n', '  a: { role: host, networks: [wan] }\n', '    - { impair: { network: wan, rate: 1mbit, upload: 2mbit } }\n'))).toEqual([
      '8:46 experiment.steps[0].impair.upload: `rate` and `upload` both set: in a step both are the egress rate of the members changed',
    ]);
  });

  it('suggests the node meant when it is unknown', () => {
    expect(problems(lab('  wan: {}\n', '  alpha: { role: host, networks: [wan] }\n', '    - { impair: { network: wan, node: alpah, down: true } }\n'))).toEqual([
      '8:39 experiment.steps[0].impair.node: unknown node "alpah"; members of network "wan" are [alpha]',
    ]);
  });

  it('accepts only `true` for reset', () => {
    expect(problems(lab('  wan: {}\n', '  a: { role: host, networks: [wan] }\n', '    - { impair: { network: wan, reset: false } }\n'))).toEqual([
      '8:40 experiment.steps[0].impair.reset: expected one of [true], found a boolean (false)',
    ]);
  });
});
