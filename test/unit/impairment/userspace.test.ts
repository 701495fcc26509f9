// Exact argv of the userspace backend (no sch_netem) on the interface itself: tbf, ifb, link down.
// Where delays happen is ingress.test.ts's subject; the delayer's config is pinned here.
import { describe, expect, it } from 'vitest';
import { impairmentPlan, resetPlan } from '../../../orchestrator/impairment/apply.js';
import { linkDownRules } from '../../../orchestrator/impairment/commands.js';
import { delayerArgv, delayerConfig, delayerConfigPath } from '../../../orchestrator/impairment/delayer.js';
import type { LinkImpairment } from '../../../orchestrator/impairment/spec.js';
import { UnsupportedImpairment } from '../../../orchestrator/impairment/validate.js';
import { DOWNLOAD_4MBIT, NO_INGRESS, render, UP } from './render.js';

const userspace = { backend: 'userspace' } as const;
const plan = (impairment: LinkImpairment) => impairmentPlan('eth1', impairment, userspace).commands.map(render);


describe('impairmentPlan on the userspace backend', () => {
  it('a rate is a root tbf; delay, jitter and loss leave the interface alone (the delayer does them)', () => {
    expect(plan({ delayUs: 40_000, jitterUs: 5_000, lossPct: 1, rateBps: 10_000_000 })).toEqual(['tc qdisc replace dev eth1 root handle 2: tbf rate 10mbit burst 5000 limit 130000', ...NO_INGRESS, ...UP]);
    expect(plan({ delayUs: 40_000, lossPct: 1 })).toEqual(plan({}));
  });

  it('download uses the same ifb shaping as netem', () => {
    expect(plan({ downloadBps: 4_000_000 })).toEqual([
      'tc qdisc del dev eth1 root || true',
      ...DOWNLOAD_4MBIT,
      ...UP,
    ]);
  });

  it('down cuts the link first', () => {
    expect(plan({ down: true, lossPct: 1 })).toEqual([
      '[unless iptables -t mangle -C PREROUTING -i eth1 -m comment --comment emunet-down -j DROP] iptables -t mangle -I PREROUTING -i eth1 -m comment --comment emunet-down -j DROP',
      '[unless iptables -t mangle -C POSTROUTING -o eth1 -m comment --comment emunet-down -j DROP] iptables -t mangle -I POSTROUTING -o eth1 -m comment --comment emunet-down -j DROP',
      'tc qdisc del dev eth1 root || true',
      ...NO_INGRESS,
    ]);
  });

  it('{} removes the tbf, the ifb and the down rules', () => {
    const reset = ['tc qdisc del dev eth1 root || true', ...NO_INGRESS, ...UP];
    expect(plan({})).toEqual(reset);
    expect(resetPlan('eth1', userspace).commands.map(render)).toEqual(reset);
  });

  it.each([
    [{ duplicatePct: 1 }, 'duplicate'],
    [{ corruptPct: 0.5 }, 'corrupt'],
  ])('refuses %j with UnsupportedImpairment before producing a command', (impairment, key) => {
    expect(() => impairmentPlan('eth1', impairment, userspace)).toThrow(UnsupportedImpairment);
    expect(() => impairmentPlan('eth1', impairment, userspace)).toThrow(new RegExp(`^${key} is not supported by the userspace impairment backend`));
  });
});

describe('delayerConfig', () => {
  it('writes every key, defaults included, so a rewrite never inherits a value', () => {
    expect(delayerConfig({}, 7)).toBe('delay_us=0\njitter_us=0\ndistribution=normal\ndelay_correlation=0\nloss=0\nloss_correlation=0\nreorder=0\nlimit=1000\nseed=7\n');
  });

  it('writes microseconds and percentages (0..100) as given', () => {
    const impairment = { delayUs: 500, jitterUs: 1_500, distribution: 'pareto', delayCorrelationPct: 25, lossPct: 0.5, lossCorrelationPct: 10, reorderPct: 5, limitPackets: 200 } as const;
    expect(delayerConfig(impairment, 1)).toBe('delay_us=500\njitter_us=1500\ndistribution=pareto\ndelay_correlation=25\nloss=0.5\nloss_correlation=10\nreorder=5\nlimit=200\nseed=1\n');
  });

  it('runs one delayer per queue, with its own config file', () => {
    expect(delayerConfigPath(9)).toBe('/run/emunet/nfdelay-q9.conf');
    expect(delayerArgv(9)).toEqual(['emunet-nfdelay', '--queue', '9', '--config', '/run/emunet/nfdelay-q9.conf']);
  });
});

describe('iptables rules', () => {
  it('linkDownRules: DROP in and out, first in their chains, and their removal', () => {
    expect(linkDownRules('eth2')).toEqual({
      add: [
        ['iptables', '-t', 'mangle', '-I', 'PREROUTING', '-i', 'eth2', '-m', 'comment', '--comment', 'emunet-down', '-j', 'DROP'],
        ['iptables', '-t', 'mangle', '-I', 'POSTROUTING', '-o', 'eth2', '-m', 'comment', '--comment', 'emunet-down', '-j', 'DROP'],
      ],
      remove: [
        ['iptables', '-t', 'mangle', '-D', 'PREROUTING', '-i', 'eth2', '-m', 'comment', '--comment', 'emunet-down', '-j', 'DROP'],
        ['iptables', '-t', 'mangle', '-D', 'POSTROUTING', '-o', 'eth2', '-m', 'comment', '--comment', 'emunet-down', '-j', 'DROP'],
      ],
    });
  });
});
