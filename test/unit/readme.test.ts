import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../orchestrator/topology/load.js';

describe('README', () => {
  it('documents a topology that is valid as written', async () => {
    const readme = await readFile(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const [, example] = /## Topology format\n\n```yaml\n([\s\S]*?)```/.exec(readme) ?? [];
    expect(example).toBeDefined();
    expect(parseTopology(example!, 'README.md', {}).nodes.map((n) => n.name)).toEqual(['client', 'r1', 'server']);
  });
});
