// Exact argv of the netem backend, option by option and for whole plans.
import { describe, expect, it } from 'vitest';
import { impairmentPlan, resetPlan } from '../../../orchestrator/impairment/apply.js';
import type { LinkImpairment } from '../../../orchestrator/impairment/spec.js';
import { ifbName, netemOptions, tbfBurstBytes, tbfLimitBytes, tbfOptions } from '../../../orchestrator/impairment/tc.js';
import { InvalidImpairment } from '../../../orchestrator/impairment/validate.js';
import { DOWNLOAD_4MBIT, NO_INGRESS, render, UP } from './render.js';

const ZEROS = 'loss random 0% 0% corrupt 0%';

describe('netemOptions', () => {
  it.each<[string, LinkImpairment, string]>([
    ['nothing (every sticky attribute stated)', {}, `netem ${ZEROS} seed 7`],
    ['delay', { delayUs: 40_000 }, `netem delay 40ms ${ZEROS} seed 7`],
    ['sub-millisecond delay', { delayUs: 500 }, `netem delay 500us ${ZEROS} seed 7`],
    ['delay in seconds', { delayUs: 1_000_000 }, `netem delay 1s ${ZEROS} seed 7`],
    ['jitter: normal by default', { delayUs: 40_000, jitterUs: 5_000 }, `netem delay 40ms 5ms 0% distribution normal ${ZEROS} seed 7`],
    ['jitter, correlation, pareto', { delayUs: 40_000, jitterUs: 5_000, delayCorrelationPct: 25, distribution: 'pareto' }, `netem delay 40ms 5ms 25% distribution pareto ${ZEROS} seed 7`],
    ['paretonormal', { delayUs: 40_000, jitterUs: 1_500, distribution: 'paretonormal' }, `netem delay 40ms 1500us 0% distribution paretonormal ${ZEROS} seed 7`],
    ['uniform: no table (tc has no uniform.dist)', { delayUs: 40_000, jitterUs: 5_000, distribution: 'uniform' }, `netem delay 40ms 5ms 0% ${ZEROS} seed 7`],
    ['loss', { lossPct: 1 }, 'netem loss random 1% 0% corrupt 0% seed 7'],
    ['fractional loss with correlation', { lossPct: 0.5, lossCorrelationPct: 25 }, 'netem loss random 0.5% 25% corrupt 0% seed 7'],
    ['duplicate', { duplicatePct: 2 }, 'netem loss random 0% 0% duplicate 2% corrupt 0% seed 7'],
    ['corrupt', { corruptPct: 0.1 }, 'netem loss random 0% 0% corrupt 0.1% seed 7'],
    ['reorder', { delayUs: 10_000, reorderPct: 25 }, `netem delay 10ms ${ZEROS} reorder 25% seed 7`],
    ['limit', { delayUs: 10_000, limitPackets: 500 }, `netem limit 500 delay 10ms ${ZEROS} seed 7`],
    [
      'everything',
      { delayUs: 40_000, jitterUs: 5_000, delayCorrelationPct: 25, distribution: 'normal', lossPct: 1, lossCorrelationPct: 25, duplicatePct: 1, corruptPct: 0.5, reorderPct: 10, limitPackets: 2000 },
      'netem limit 2000 delay 40ms 5ms 25% distribution normal loss random 1% 25% duplicate 1% corrupt 0.5% reorder 10% seed 7',
    ],
    ['rates and down are not netem\'s business', { rateBps: 1_000_000, downloadBps: 1_000_000, down: true }, `netem ${ZEROS} seed 7`],
  ])('%s', (_, impairment, expected) => expect(netemOptions(impairment, 7).join(' ')).toBe(expected));

  it('leaves the seed out for a tc that does not know it', () => {
    expect(netemOptions({ lossPct: 1 }, undefined).join(' ')).toBe('netem loss random 1% 0% corrupt 0%');
  });
});

describe('tbf sizing', () => {
  it.each([
    // rate, burst (max of 4 ms at the rate and two 1514-byte frames), limit (burst + max of 100 ms at the rate and ten frames)
    [1_000_000, 3028, 3028 + 15_140],
    [4_000_000, 3028, 3028 + 50_000],
    [10_000_000, 5000, 5000 + 125_000],
    [1_000_000_000, 500_000, 500_000 + 12_500_000],
    [64_000, 3028, 3028 + 15_140],
  ])('%d bit/s: burst %d bytes, limit %d bytes', (rate, burst, limit) => {
    expect(tbfBurstBytes(rate)).toBe(burst);
    expect(tbfLimitBytes(rate)).toBe(limit);
  });

  it('writes them for tc', () => {
    expect(tbfOptions(10_000_000)).toEqual(['tbf', 'rate', '10mbit', 'burst', '5000', 'limit', '130000']);
    expect(tbfOptions(8_000_000)).toEqual(['tbf', 'rate', '8mbit', 'burst', '4000', 'limit', '104000']);
  });
});

const netem = { backend: 'netem', seed: 42 } as const;
const plan = (impairment: LinkImpairment, options: { backend: 'netem'; seed?: number } = netem) => impairmentPlan('eth1', impairment, options).commands.map(render);


describe('impairmentPlan on the netem backend', () => {
  it('delay, jitter, loss and a rate: netem at the root, tbf as its child', () => {
    expect(plan({ delayUs: 40_000, jitterUs: 5_000, lossPct: 1, rateBps: 10_000_000 })).toEqual([
      'tc qdisc replace dev eth1 root handle 1: netem delay 40ms 5ms 0% distribution normal loss random 1% 0% corrupt 0% seed 42',
      'tc qdisc replace dev eth1 parent 1:1 handle 10: tbf rate 10mbit burst 5000 limit 130000',
      ...NO_INGRESS,
      ...UP,
    ]);
  });

  it('netem without a rate removes a tbf child left by an earlier apply', () => {
    expect(plan({ delayUs: 40_000 })).toEqual([
      'tc qdisc replace dev eth1 root handle 1: netem delay 40ms loss random 0% 0% corrupt 0% seed 42',
      'tc qdisc del dev eth1 parent 1:1 handle 10: || true',
      ...NO_INGRESS,
      ...UP,
    ]);
  });

  it('uniform jitter gets its own netem handle, so no earlier distribution table survives', () => {
    expect(plan({ delayUs: 40_000, jitterUs: 5_000, distribution: 'uniform', rateBps: 1_000_000 })).toEqual([
      'tc qdisc replace dev eth1 root handle 3: netem delay 40ms 5ms 0% loss random 0% 0% corrupt 0% seed 42',
      'tc qdisc replace dev eth1 parent 3:1 handle 10: tbf rate 1mbit burst 3028 limit 18168',
      ...NO_INGRESS,
      ...UP,
    ]);
  });

  it('a rate alone is a plain tbf at the root, as on the userspace backend', () => {
    expect(plan({ rateBps: 10_000_000 })).toEqual(['tc qdisc replace dev eth1 root handle 2: tbf rate 10mbit burst 5000 limit 130000', ...NO_INGRESS, ...UP]);
  });

  it('download: ingress redirected to an ifb device shaped by tbf, shaper first', () => {
    expect(plan({ downloadBps: 4_000_000 })).toEqual([
      'tc qdisc del dev eth1 root || true',
      ...DOWNLOAD_4MBIT,
      ...UP,
    ]);
  });

  it('down: the link is cut first, by DROP rules inserted ahead of anything else', () => {
    expect(plan({ down: true, delayUs: 10_000 })).toEqual([
      '[unless iptables -t mangle -C PREROUTING -i eth1 -m comment --comment emunet-down -j DROP] iptables -t mangle -I PREROUTING -i eth1 -m comment --comment emunet-down -j DROP',
      '[unless iptables -t mangle -C POSTROUTING -o eth1 -m comment --comment emunet-down -j DROP] iptables -t mangle -I POSTROUTING -o eth1 -m comment --comment emunet-down -j DROP',
      'tc qdisc replace dev eth1 root handle 1: netem delay 10ms loss random 0% 0% corrupt 0% seed 42',
      'tc qdisc del dev eth1 parent 1:1 handle 10: || true',
      ...NO_INGRESS,
    ]);
  });

  it('down: false and {} reset everything emunet may have added, tolerating what is not there', () => {
    const reset = ['tc qdisc del dev eth1 root || true', ...NO_INGRESS, ...UP];
    expect(plan({})).toEqual(reset);
    expect(plan({ down: false })).toEqual(reset);
    expect(resetPlan('eth1', netem).commands.map(render)).toEqual(reset);
  });

  it('leaves out `seed` when told the tc is too old for it', () => {
    expect(plan({ lossPct: 1 }, { backend: 'netem' })[0]).toBe('tc qdisc replace dev eth1 root handle 1: netem loss random 1% 0% corrupt 0%');
  });

  it('produces the same commands every time (applying twice is applying once)', () => {
    const impairment = { delayUs: 40_000, jitterUs: 5_000, lossPct: 1, rateBps: 10_000_000, downloadBps: 4_000_000, down: true };
    expect(impairmentPlan('eth1', impairment, netem)).toEqual(impairmentPlan('eth1', { ...impairment }, netem));
  });

  it('refuses contradictory settings before producing a command', () => {
    expect(() => impairmentPlan('eth1', { jitterUs: 5_000 }, netem)).toThrow(InvalidImpairment);
  });

  it('names the ifb after the device, within the 15-character limit', () => {
    expect(ifbName('eth1')).toBe('ifb-eth1');
    expect(ifbName('eth12345678')).toBe('ifb-eth12345678');
    expect(() => ifbName('eth123456789')).toThrow('device name "eth123456789" is too long for its ingress shaper');
  });
});
