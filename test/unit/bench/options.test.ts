import { describe, expect, it } from 'vitest';
import { benchOptions } from '../../../orchestrator/bench/harness.js';

const spec = { rounds: { default: 5, min: 1 }, inFlight: { default: 100, min: 1 }, sizes: { default: [10, 50], min: 3 } };

describe('bench options', () => {
  it('are the defaults unless given, by flags named after their keys', () => {
    expect(benchOptions([], 'x', spec)).toEqual({ rounds: 5, inFlight: 100, sizes: [10, 50] });
    expect(benchOptions(['--in-flight', '20', '--sizes', '3,200'], 'x', spec)).toEqual({ rounds: 5, inFlight: 20, sizes: [3, 200] });
  });

  it('write JSON to the file named, or to a timestamped one under results/bench', () => {
    expect(benchOptions(['--json-out', 'out.json', '--rounds', '2'], 'x', spec)).toMatchObject({ jsonOut: 'out.json', rounds: 2 });
    expect(benchOptions(['--json-out', '--rounds', '2'], 'x', spec).jsonOut).toMatch(/^results\/bench\/x-\d{4}-\d\d-\d\dT[\d-]+\.json$/);
  });

  it('refuse what is unknown, missing, below its minimum or not whole, saying what is expected', () => {
    expect(() => benchOptions(['--round', '2'], 'x', spec)).toThrow('unknown option --round (known: --rounds 5 --in-flight 100 --sizes 10,50 --json-out [file])');
    expect(() => benchOptions(['--rounds'], 'x', spec)).toThrow('--rounds needs a value');
    expect(() => benchOptions(['--rounds', '0'], 'x', spec)).toThrow('--rounds: a whole number of at least 1, found "0"');
    expect(() => benchOptions(['--rounds', '2,3'], 'x', spec)).toThrow(/a whole number/);
    expect(() => benchOptions(['--sizes', '10,2.5'], 'x', spec)).toThrow('--sizes: whole numbers, comma-separated, of at least 3, found "10,2.5"');
  });
});
