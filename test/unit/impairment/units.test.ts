import { describe, expect, it } from 'vitest';
import { formatTcDuration, formatTcPercent, formatTcRate, parseDuration, parsePercent, parseRate } from '../../../orchestrator/impairment/units.js';

describe('parseDuration (microseconds)', () => {
  it.each([
    ['40ms', 40_000],
    ['0.5ms', 500],
    ['500us', 500],
    ['500usec', 500],
    ['1s', 1_000_000],
    ['1.5sec', 1_500_000],
    ['2msec', 2_000],
    ['0ms', 0],
    ['1.005s', 1_005_000],
  ])('%s -> %d', (text, microseconds) => expect(parseDuration(text)).toBe(microseconds));

  it.each(['40', '40 ms', '40m', '40MS', '-1ms', '.5ms', '1e3ms', '05ms', 'ms', ''])('refuses %j (a unit is required)', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('parseRate (bits per second, SI like tc)', () => {
  it.each([
    ['10mbit', 10_000_000],
    ['1500kbit', 1_500_000],
    ['1gbit', 1_000_000_000],
    ['64bit', 64],
    ['1.5mbit', 1_500_000],
    ['1mbps', 8_000_000],
    ['125kbps', 1_000_000],
    ['1gbps', 8_000_000_000],
    ['100bps', 800],
    ['0mbit', 0],
  ])('%s -> %d', (text, bps) => expect(parseRate(text)).toBe(bps));

  it.each(['10', '10Mbit', '10mb', '10 mbit', '10kibit', 'mbit'])('refuses %j', (text) => expect(parseRate(text)).toBeUndefined());
});

describe('parsePercent', () => {
  it.each([
    ['1%', 1],
    ['0.5%', 0.5],
    ['0%', 0],
    ['100%', 100],
    ['100.0%', 100],
    ['99.99%', 99.99],
  ])('%s -> %d', (text, percent) => expect(parsePercent(text)).toBe(percent));

  it.each(['120%', '100.5%', '1', '-1%', '1 %', '01%', '%'])('refuses %j', (text) => expect(parsePercent(text)).toBeUndefined());
});

describe('formatting for tc', () => {
  it.each([
    [40_000, '40ms'],
    [500, '500us'],
    [1_500, '1500us'],
    [2_000_000, '2s'],
    [1_500_000, '1500ms'],
    [0, '0us'],
  ])('duration %d us -> %s', (microseconds, text) => expect(formatTcDuration(microseconds)).toBe(text));

  it.each([
    [10_000_000, '10mbit'],
    [1_500_000, '1500kbit'],
    [1_000_000_000, '1gbit'],
    [8_000_000, '8mbit'],
    [800, '800bit'],
    [1_234_567, '1234567bit'],
  ])('rate %d bit/s -> %s (never the byte-based bps)', (bps, text) => expect(formatTcRate(bps)).toBe(text));

  it('writes percentages as tc reads them', () => {
    expect([1, 0.5, 0].map(formatTcPercent)).toEqual(['1%', '0.5%', '0%']);
  });

  it('round-trips through tc units', () => {
    for (const text of ['40ms', '500us', '2s']) expect(formatTcDuration(parseDuration(text) ?? -1)).toBe(text);
    for (const text of ['10mbit', '1500kbit', '1gbit']) expect(formatTcRate(parseRate(text) ?? -1)).toBe(text);
  });
});
