// One test per fixture file: adding `test/fixtures/invalid/<failure-mode>.yaml` with its
// `# expect: <message substring> @ <line>:<col>` first line adds a test.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../../orchestrator/topology/errors.js';
import { loadTopology } from '../../../orchestrator/topology/load.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const yamlFiles = (dir: string) => readdirSync(`${fixtures}${dir}`).filter((f) => f.endsWith('.yaml')).sort();

function expectation(file: string): { message: string; line: number; col: number } {
  const first = readFileSync(file, 'utf8').split('\n')[0] ?? '';
  const match = /^# expect: (.+) @ (\d+):(\d+)$/.exec(first);
  if (!match) throw new Error(`${file}: first line must be "# expect: <message substring> @ <line>:<col>", found "${first}"`);
  return { message: match[1] ?? '', line: Number(match[2]), col: Number(match[3]) };
}

describe('invalid topologies', () => {
  it.each(yamlFiles('invalid'))('%s is rejected with a located message', async (name) => {
    const file = `${fixtures}invalid/${name}`;
    const expected = expectation(file);
    const error = await loadTopology(file, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TopologyError);
    const diagnostics = (error as TopologyError).diagnostics;
    const found = diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
    const matches = diagnostics.some((d) => d.line === expected.line && d.col === expected.col && d.message.includes(expected.message));
    expect(matches, `no diagnostic "${expected.message}" at ${expected.line}:${expected.col}; got:\n${found.join('\n')}`).toBe(true);
  });
});

describe('valid topologies', () => {
  it.each(yamlFiles('valid'))('%s loads', async (name) => {
    const topology = await loadTopology(`${fixtures}valid/${name}`, {});
    expect(topology.name).toBe(name.replace(/\.yaml$/, ''));
  });
});
