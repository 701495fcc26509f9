import { describe, expect, it } from 'vitest';
import { keyAt, valueAt } from '../../../orchestrator/topology/doc-path.js';
import { TopologyError } from '../../../orchestrator/topology/errors.js';
import { SourceDocument } from '../../../orchestrator/topology/source.js';

const text = [
  'nodes:', //                       1
  '  client:', //                    2
  '    networks: [left, right]', //  3
  '    role:', //                    4
  'shared: &shared', //              5
  '  x: 1', //                       6
  'alias: *shared', //               7
].join('\n');
const source = SourceDocument.parse(text, 'lab.yaml');

describe('SourceDocument.locate', () => {
  it('finds values, list items and keys', () => {
    expect(source.locate(valueAt(['nodes', 'client', 'networks']))).toEqual({ line: 3, col: 15 });
    expect(source.locate(valueAt(['nodes', 'client', 'networks', 1]))).toEqual({ line: 3, col: 22 });
    expect(source.locate(keyAt(['nodes', 'client', 'networks']))).toEqual({ line: 3, col: 5 });
  });

  it('falls back to the key of an empty value, and to the deepest existing part of a missing path', () => {
    expect(source.locate(valueAt(['nodes', 'client', 'role']))).toEqual({ line: 4, col: 5 });
    expect(source.locate(keyAt(['nodes', 'client']))).toEqual({ line: 2, col: 3 });
    expect(source.locate(valueAt(['nodes', 'client', 'config', 'deep']))).toEqual({ line: 3, col: 5 });
    expect(source.locate(valueAt(['nodes', 'client', 'networks', 9]))).toEqual({ line: 3, col: 15 });
  });

  it('follows aliases to their anchor', () => {
    expect(source.locate(valueAt(['alias', 'x']))).toEqual({ line: 6, col: 6 });
  });

  it('builds diagnostics with the readable path', () => {
    expect(source.diagnostic(valueAt(['nodes', 'client', 'networks', 1]), 'm', 'h')).toEqual({ file: 'lab.yaml', line: 3, col: 22, path: 'nodes.client.networks[1]', message: 'm', hint: 'h' });
  });
});

describe('SourceDocument.parse', () => {
  it('reports every duplicate key, each at its second occurrence', () => {
    const parse = () => SourceDocument.parse('a: 1\nb: 2\na: 3\nb: 4\n', 'lab.yaml');
    expect(parse).toThrow(TopologyError);
    expect(parse).toThrow(/^lab.yaml:3:1 duplicate key "a".*\n.*\nlab.yaml:4:1 duplicate key "b"/);
  });
});
