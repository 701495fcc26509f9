import { describe, expect, it } from 'vitest';
import { evaluate, ExpressionError } from '../../../orchestrator/experiment/expression.js';

describe('expect: expressions', () => {
  it('computes the lecture formulas from parameters and network values', () => {
    const names = { 'params.objects': 10, 'params.m': 4, 'networks.wan.delay': 50 };
    expect(evaluate('2 * networks.wan.delay', names)).toBe(100);
    expect(evaluate('2 * ceil(${params.objects} / params.m) * 2 * networks.wan.delay', names)).toBe(600);
    expect(evaluate('(params.objects + 1) * 2 * networks.wan.delay', names)).toBe(1100);
    expect(evaluate('max(1, 2^3, 2**2) - -1', names)).toBe(9);
  });

  it('names the unknown name and what is known', () => {
    expect(() => evaluate('2 * networks.lan.delay', { 'networks.wan.delay': 1 })).toThrow(/unknown name "networks.lan.delay".*known: networks.wan.delay/);
    expect(() => evaluate('2 *', {})).toThrow(ExpressionError);
    expect(() => evaluate('2 + (3', {})).toThrow(/missing "\)"/);
    expect(() => evaluate('process.exit(1)', {})).toThrow(/unknown function process.exit/);
  });
});
