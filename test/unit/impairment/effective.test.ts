import { describe, expect, it } from 'vitest';
import { accumulateChange, effectiveImpairment } from '../../../orchestrator/impairment/effective.js';

const network = { delayUs: 5_000, lossPct: 1 };

describe('reset-then-set (a sweep point in one change)', () => {
  it('starts from the topology\'s values, forgetting earlier changes', () => {
    const earlier = accumulateChange(undefined, { set: { delayUs: 90_000, rateBps: 1e6 } });
    const point = accumulateChange(earlier, { reset: true, set: { delayUs: 20_000 } });
    expect(effectiveImpairment(network, {}, point)).toEqual({ delayUs: 20_000, lossPct: 1 });
  });

  it('keeps its values when later changes add others, until the next reset', () => {
    const point = accumulateChange(undefined, { reset: true, set: { delayUs: 20_000 } });
    const later = accumulateChange(point, { set: { lossPct: 30 } });
    expect(effectiveImpairment(network, {}, later)).toEqual({ delayUs: 20_000, lossPct: 30 });
    expect(effectiveImpairment(network, {}, accumulateChange(later, { reset: true }))).toEqual(network);
  });
});
