import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../../orchestrator/topology/errors.js';
import { loadTopology, parseTopology } from '../../../orchestrator/topology/load.js';

function rejection(text: string): TopologyError {
  try {
    parseTopology(text, 'lab.yaml', {});
  } catch (error) {
    if (error instanceof TopologyError) return error;
    throw error;
  }
  throw new Error('expected a TopologyError');
}

describe('parseTopology', () => {
  it('applies defaults and turns both spellings of networks into ordered attachments', () => {
    const topology = parseTopology(
      'name: lab\nnetworks:\n  a:\n  b: { subnet: 10.1.0.0/24 }\nnodes:\n  n:\n    role: host\n    networks:\n      b: { address: 10.1.0.9 }\n      a:\n  m: { role: router, networks: [a, b], config: { k: v } }\nexperiment:\n  steps:\n    - { node: n, run: probe }\n',
      '<inline>',
      {},
    );
    expect(topology).toMatchObject({
      name: 'lab',
      file: '<inline>',
      pool: '10.213.0.0/16',
      networks: [
        { name: 'a', prefix: 24 },
        { name: 'b', subnet: '10.1.0.0/24', prefix: 24 },
      ],
      nodes: [
        { name: 'n', role: 'host', attachments: [{ network: 'b', address: '10.1.0.9' }, { network: 'a' }], config: {} },
        { name: 'm', role: 'router', attachments: [{ network: 'a' }, { network: 'b' }], config: { k: 'v' } },
      ],
      experiment: { seed: 1, repeat: 1, steps: [{ node: 'n', run: 'probe', args: {} }] },
    });
    expect(topology.networks[0]).not.toHaveProperty('subnet');
  });

  it('collects every schema problem at once, in file order, formatted as file:line:col path: message', () => {
    const error = rejection('name: Lab\nnetworks: {}\nnodes:\n  a:\n    role: 3\n    networks: [left]\n    colour: red\n');
    expect(error.message.split('\n').filter((l) => !l.startsWith(' '))).toEqual([
      'lab.yaml:1:7 name: expected a lowercase name of at most 24 letters, digits and dashes, starting with a letter, found a string ("Lab")',
      'lab.yaml:5:11 nodes.a.role: expected a string, found a number (3)',
      'lab.yaml:7:5 nodes.a.colour: unknown key "colour"; expected one of [role, networks, config, resolver, host]',
    ]);
    expect(error.format()).toBe(error.message);
  });

  it('reports the meant form of a node\'s networks, not every alternative', () => {
    const error = rejection('name: lab\nnetworks: {}\nnodes:\n  a:\n    role: host\n    networks: [left, Right]\n');
    expect(error.diagnostics).toHaveLength(1);
    expect(error.diagnostics[0]).toMatchObject({ path: 'nodes.a.networks[1]', line: 6, col: 22 });
  });

  it('reports a misspelt required key once, as a typo', () => {
    const error = rejection('name: lab\nnetworks: {}\nnodes:\n  a:\n    rol: host\n    networks: []\n');
    expect(error.diagnostics.map((d) => `${d.message} / ${d.hint}`)).toEqual(['unknown key "rol"; expected one of [role, networks, config, resolver, host] / did you mean "role"?']);
  });

  it('points at the key of a map-form network that does not exist, and at a missing subnet', () => {
    const error = rejection('name: lab\nnetworks:\n  left:\nnodes:\n  a:\n    role: host\n    networks:\n      rigth:\n      left: { address: 10.0.0.2 }\n');
    expect(error.diagnostics.map((d) => [d.line, d.col, d.path, d.hint])).toEqual([
      [8, 7, 'nodes.a.networks.rigth', 'declare it under `networks:`, e.g. `rigth: {}`'],
      [9, 24, 'nodes.a.networks.left.address', 'give network left a `subnet:` to use static addresses, or omit `address:` to get one allocated'],
    ]);
  });

  it('rejects an empty document as a whole', () => {
    expect(rejection('# nothing yet\n').diagnostics).toEqual([{ file: 'lab.yaml', line: 1, col: 1, path: '', message: 'expected a map (key: value), found nothing' }]);
  });
});

describe('loadTopology', () => {
  it('reports a missing file as a diagnostic, not a stack trace', async () => {
    await expect(loadTopology('no/such/lab.yaml', {})).rejects.toThrow('no/such/lab.yaml:1:1 cannot read the topology file (ENOENT)');
  });
});

describe('--set overrides', () => {
  const text = 'name: t\nnetworks:\n  wan: { delay: 5ms }\nnodes:\n  a: { role: host, networks: [wan] }\nexperiment:\n  repeat: 3\n  steps: []\n';

  it('replace or add a value at a dotted path before validation, changing the hash', () => {
    const plain = parseTopology(text, 't.yaml', {});
    const changed = parseTopology(text, 't.yaml', {}, ['experiment.repeat=10', 'networks.wan.loss=1%', 'experiment.seed=7']);
    expect(changed.experiment).toMatchObject({ repeat: 10, seed: 7 });
    expect(changed.networks[0]!.impairment).toEqual({ delayUs: 5000, lossPct: 1 });
    expect(changed.hash).not.toBe(plain.hash);
  });

  it('are validated like the file, and a malformed one says what is expected', () => {
    expect(() => parseTopology(text, 't.yaml', {}, ['networks.wan.delay=ten'])).toThrow(/t\.yaml:3:17 networks\.wan\.delay: expected a duration/);
    expect(() => parseTopology(text, 't.yaml', {}, ['repeat'])).toThrow(/--set "repeat": expected PATH=VALUE/);
  });
});
