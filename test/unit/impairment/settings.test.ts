import { describe, expect, it } from 'vitest';
import { accumulateChange, effectiveImpairment } from '../../../orchestrator/impairment/effective.js';
import { InvalidSettingError, parseSettings, settingKey } from '../../../orchestrator/impairment/settings.js';

describe('parseSettings', () => {
  it('turns every key into its field in base units, and ignores keys that are not settings', () => {
    const settings = {
      subnet: '10.1.0.0/24',
      address: '10.1.0.5',
      delay: '40ms',
      jitter: '5ms',
      distribution: 'pareto',
      'delay-correlation': '25%',
      loss: '1%',
      'loss-correlation': '50%',
      duplicate: '2%',
      corrupt: '0.1%',
      reorder: '10%',
      limit: 500,
      upload: '1mbit',
      download: '4mbit',
      down: true,
    };
    expect(parseSettings(settings)).toEqual({
      delayUs: 40_000,
      jitterUs: 5_000,
      distribution: 'pareto',
      delayCorrelationPct: 25,
      lossPct: 1,
      lossCorrelationPct: 50,
      duplicatePct: 2,
      corruptPct: 0.1,
      reorderPct: 10,
      limitPackets: 500,
      rateBps: 1_000_000,
      downloadBps: 4_000_000,
      down: true,
    });
  });

  it('gives {} for no settings, and maps a network\'s rate to rateBps', () => {
    expect(parseSettings({})).toEqual({});
    expect(parseSettings({ rate: '1mbps' })).toEqual({ rateBps: 8_000_000 });
  });

  it('lets upload win over rate when both are given (the CLI may pass both)', () => {
    expect(parseSettings({ rate: '10mbit', upload: '1mbit' })).toEqual({ rateBps: 1_000_000 });
  });

  it('names the key, the value and what was expected (for input the schema did not see)', () => {
    expect(() => parseSettings({ delay: '40' })).toThrow(new InvalidSettingError('delay', '40', 'a duration with a unit, like 20ms, 500us or 1s'));
    expect(() => parseSettings({ delay: '40' })).toThrow('delay: expected a duration with a unit, like 20ms, 500us or 1s, found "40"');
    expect(() => parseSettings({ limit: 0 })).toThrow('limit: expected a whole number of packets, at least 1, found 0');
    expect(() => parseSettings({ distribution: 'gaussian' })).toThrow('distribution: expected one of normal, uniform, pareto, paretonormal, found "gaussian"');
  });

  it('knows the key users write for each field', () => {
    expect(settingKey('delayCorrelationPct')).toBe('delay-correlation');
    expect(settingKey('rateBps')).toBe('rate');
    expect(settingKey('rateBps', 'attachment')).toBe('upload');
    expect(settingKey('downloadBps')).toBe('download');
  });
});

describe('effectiveImpairment', () => {
  const network = { delayUs: 40_000, jitterUs: 5_000, lossPct: 1, rateBps: 10_000_000 };

  it('is the network\'s values when the member overrides nothing', () => {
    expect(effectiveImpairment(network, {})).toEqual(network);
  });

  it('overrides key by key: upload replaces the network rate, download and delay are the member\'s own', () => {
    const member = { rateBps: 1_000_000, downloadBps: 4_000_000, delayUs: 80_000 };
    expect(effectiveImpairment(network, member)).toEqual({ delayUs: 80_000, jitterUs: 5_000, lossPct: 1, rateBps: 1_000_000, downloadBps: 4_000_000 });
  });

  it('lets a member switch a network value off with 0, and ignores keys set to undefined', () => {
    expect(effectiveImpairment(network, { lossPct: 0, delayUs: undefined })).toEqual({ ...network, lossPct: 0 });
  });

  it('applies a change on top of both, and a reset gives the configured values back', () => {
    expect(effectiveImpairment(network, { delayUs: 80_000 }, { set: { lossPct: 30, down: true } })).toEqual({ ...network, delayUs: 80_000, lossPct: 30, down: true });
    expect(effectiveImpairment(network, { delayUs: 80_000 }, { reset: true })).toEqual({ ...network, delayUs: 80_000 });
  });

  it('never changes its inputs', () => {
    const member = { delayUs: 1 };
    effectiveImpairment(network, member, { set: { lossPct: 5 } });
    expect(network).toEqual({ delayUs: 40_000, jitterUs: 5_000, lossPct: 1, rateBps: 10_000_000 });
    expect(member).toEqual({ delayUs: 1 });
  });
});

describe('accumulateChange', () => {
  it('accumulates settings, the later value of a key winning', () => {
    const first = accumulateChange(undefined, { set: { lossPct: 30 } });
    expect(accumulateChange(first, { set: { delayUs: 100_000, lossPct: 5 } })).toEqual({ set: { lossPct: 5, delayUs: 100_000 } });
  });

  it('forgets everything before a reset, and starts afresh after one', () => {
    expect(accumulateChange({ set: { lossPct: 30 } }, { reset: true })).toEqual({ reset: true });
    expect(accumulateChange({ reset: true }, { set: { down: true } })).toEqual({ reset: true, set: { down: true } });
  });
});
