import { describe, expect, it } from 'vitest';
import { formatPath, pointerToPath } from '../../../orchestrator/topology/doc-path.js';

describe('document paths', () => {
  it('formats paths as users read them', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['nodes', 'client', 'networks', 1])).toBe('nodes.client.networks[1]');
    expect(formatPath(['experiment', 'steps', 0, 'node'])).toBe('experiment.steps[0].node');
    expect(formatPath(['nodes', 'My Node'])).toBe('nodes["My Node"]');
  });

  it('reads JSON pointers, making indexes only where the data has a list', () => {
    const data = { nodes: { '7': { networks: ['a', 'b'] } }, 'a/b': { '~': 1 } };
    expect(pointerToPath('/nodes/7/networks/1', data)).toEqual(['nodes', '7', 'networks', 1]);
    expect(pointerToPath('/a~1b/~0', data)).toEqual(['a/b', '~']);
    expect(pointerToPath('', data)).toEqual([]);
  });
});
