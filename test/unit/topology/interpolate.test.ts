import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../../orchestrator/topology/errors.js';
import { substitute } from '../../../orchestrator/topology/interpolate.js';
import { parseTopology } from '../../../orchestrator/topology/load.js';

describe('substitute', () => {
  it('replaces ${VAR} and falls back to the default when unset or empty', () => {
    expect(substitute('${A}-${B:-b}-${C:-c}', { A: 'a', C: '' })).toEqual({ value: 'a-b-c', problems: [] });
    expect(substitute('${A:-x}', { A: 'set' }).value).toBe('set');
  });

  it('keeps an empty but set variable without default', () => {
    expect(substitute('[${A}]', { A: '' })).toEqual({ value: '[]', problems: [] });
  });

  it('writes a literal ${ for $${ and leaves other dollars alone', () => {
    expect(substitute('$${HOME} costs $5', { HOME: '/root' })).toEqual({ value: '${HOME} costs $5', problems: [] });
  });

  it('reports every unset variable and every malformed reference', () => {
    const { problems } = substitute('${X} ${Y} ${not valid} ${open', {});
    expect(problems.map((p) => p.message)).toEqual([
      'variable X is not set (used as "${X}")',
      'variable Y is not set (used as "${Y}")',
      expect.stringContaining('malformed variable reference "${not valid}"'),
      expect.stringContaining('malformed variable reference "${open"'),
    ]);
  });
});

const lab = (body: string) => `name: vars\nnetworks:\n  left: {}\nnodes:\n  a:\n    role: host\n    networks: [left]\n${body}`;

describe('interpolation in topologies', () => {
  it('substitutes values but never keys', () => {
    const text = 'name: ${LAB}\nnetworks:\n  ${NET}: {}\nnodes: {}\n';
    expect(parseTopology(text.replace('${NET}', 'left'), '<inline>', { LAB: 'demo' }).name).toBe('demo');
    const error = catchError(() => parseTopology(text, '<inline>', { LAB: 'demo', NET: 'left' }));
    expect(error.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('invalid name "${NET}"')]);
  });

  it('gives a plain scalar made of one reference the type of its value; quoted ones stay strings', () => {
    const args = '      args:\n        count: ${N}\n        label: "${N}"\n        on: ${ON}\n        text: n=${N}\n';
    const text = lab(`experiment:\n  seed: \${SEED}\n  steps:\n    - node: a\n      run: probe\n${args}`);
    const topology = parseTopology(text, '<inline>', { SEED: '7', N: '20', ON: 'true' });
    expect(topology.experiment?.seed).toBe(7);
    expect(topology.experiment?.steps[0]).toMatchObject({ kind: 'workload' });
    expect((topology.experiment?.steps[0] as { args?: unknown } | undefined)?.args).toEqual({ count: 20, label: '20', on: true, text: 'n=20' });
  });

  it('reports an unset variable at its scalar, with the path', () => {
    const error = catchError(() => parseTopology(lab('experiment:\n  seed: ${SEED}\n'), 'lab.yaml', {}));
    expect(error.diagnostics).toEqual([
      { file: 'lab.yaml', line: 9, col: 9, path: 'experiment.seed', message: 'variable SEED is not set (used as "${SEED}")', hint: 'set SEED in the environment, or give a default: ${SEED:-value}' },
    ]);
  });

  it('explains that references inside flow collections need quotes', () => {
    const error = catchError(() => parseTopology(lab('experiment: { seed: ${SEED} }\n'), '<inline>', { SEED: '1' }));
    expect(error.diagnostics[0]?.hint).toContain('quote variable references');
  });

  it('changes the hash when a variable changes, not when a comment does', () => {
    const text = lab('experiment:\n  seed: ${SEED}\n');
    const hash = (t: string, seed: string) => parseTopology(t, '<inline>', { SEED: seed }).hash;
    expect(hash(text, '1')).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(text, '1')).toBe(hash(`# a comment\n${text}`, '1'));
    expect(hash(text, '1')).not.toBe(hash(text, '2'));
  });
});

function catchError(run: () => unknown): TopologyError {
  try {
    run();
  } catch (error) {
    if (error instanceof TopologyError) return error;
    throw error;
  }
  throw new Error('expected a TopologyError');
}
