import { describe, expect, it } from 'vitest';
import { closestName } from '../../../orchestrator/topology/closest-name.js';

describe('closestName', () => {
  it('finds typos: a missing letter, swapped letters, a different case', () => {
    expect(closestName('lft', ['left', 'right'])).toBe('left');
    expect(closestName('rigth', ['left', 'right'])).toBe('right');
    expect(closestName('Host', ['host', 'router'])).toBe('host');
  });

  it('suggests nothing when nothing is close', () => {
    expect(closestName('database', ['host', 'router'])).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });
});
