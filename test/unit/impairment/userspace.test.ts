// Exact argv of the userspace backend (no sch_netem): NFQUEUE delayer + tbf + ifb.
import { describe, expect, it } from 'vitest';
import { impairmentPlan, resetPlan } from '../../../orchestrator/impairment/apply.js';
import { linkDownRules, userspaceRules } from '../../../orchestrator/impairment/commands.js';
import { delayerArgv, delayerConfig, delayerConfigPath } from '../../../orchestrator/impairment/delayer.js';
import { runCommands } from '../../../orchestrator/impairment/execute.js';
import type { LinkImpairment } from '../../../orchestrator/impairment/spec.js';
import { UnsupportedImpairment } from '../../../orchestrator/impairment/validate.js';
import { FakeHost } from './fake-host.js';
import { render } from './render.js';

const userspace = { backend: 'userspace', seed: 42, queue: 3 } as const;
const plan = (impairment: LinkImpairment) => impairmentPlan('eth1', impairment, userspace).commands.map(render);

const NO_INGRESS = ['tc qdisc del dev eth1 ingress || true', 'ip link del ifb-eth1 || true'];
const QUEUE = 'POSTROUTING -o eth1 -m comment --comment emunet-delay -j NFQUEUE --queue-num 3';
const TO_DELAYER = `[unless iptables -t mangle -C ${QUEUE}] iptables -t mangle -A ${QUEUE}`;
const NOT_TO_DELAYER = `iptables -t mangle -D ${QUEUE} || true`;
const UP = [
  'iptables -t mangle -D PREROUTING -i eth1 -m comment --comment emunet-down -j DROP || true',
  'iptables -t mangle -D POSTROUTING -o eth1 -m comment --comment emunet-down -j DROP || true',
];

describe('impairmentPlan on the userspace backend', () => {
  it('delay, jitter, loss and a rate: traffic goes through the delayer, then a root tbf', () => {
    const result = impairmentPlan('eth1', { delayUs: 40_000, jitterUs: 5_000, lossPct: 1, rateBps: 10_000_000 }, userspace);
    expect(result.commands.map(render)).toEqual(['tc qdisc replace dev eth1 root handle 2: tbf rate 10mbit burst 5000 limit 130000', ...NO_INGRESS, TO_DELAYER, ...UP]);
    expect(result.delayer).toEqual({
      configPath: '/run/emunet/nfdelay-eth1.conf',
      config: 'delay_us=40000\njitter_us=5000\ndistribution=normal\ndelay_correlation=0\nloss=1\nloss_correlation=0\nreorder=0\nlimit=1000\nseed=42\n',
      argv: ['emunet-nfdelay', '--queue', '3', '--config', '/run/emunet/nfdelay-eth1.conf'],
    });
  });

  it.each<[string, LinkImpairment]>([
    ['delay', { delayUs: 1 }],
    ['jitter', { delayUs: 1, jitterUs: 1 }],
    ['loss', { lossPct: 0.5 }],
    ['reorder', { delayUs: 1, reorderPct: 1 }],
  ])('%s needs the delayer', (_, impairment) => {
    const result = impairmentPlan('eth1', impairment, userspace);
    expect(result.commands.map(render)).toContain(TO_DELAYER);
    expect(result.delayer).toBeDefined();
  });

  it('a rate alone needs no delayer: the NFQUEUE rule goes, the tbf stays', () => {
    const result = impairmentPlan('eth1', { rateBps: 1_000_000, limitPackets: 50 }, userspace);
    expect(result.commands.map(render)).toEqual(['tc qdisc replace dev eth1 root handle 2: tbf rate 1mbit burst 3028 limit 18168', ...NO_INGRESS, NOT_TO_DELAYER, ...UP]);
    expect(result.delayer).toBeUndefined();
  });

  it('download uses the same ifb shaping as netem', () => {
    expect(plan({ downloadBps: 4_000_000 })).toEqual([
      'tc qdisc del dev eth1 root || true',
      '[unless ip link show ifb-eth1] ip link add ifb-eth1 type ifb',
      'ip link set dev ifb-eth1 up',
      'tc qdisc replace dev ifb-eth1 root handle 2: tbf rate 4mbit burst 3028 limit 53028',
      'tc qdisc replace dev eth1 handle ffff: ingress',
      'tc filter replace dev eth1 parent ffff: protocol all prio 1 handle 800::800 u32 match u32 0 0 action mirred egress redirect dev ifb-eth1',
      NOT_TO_DELAYER,
      ...UP,
    ]);
  });

  it('down cuts the link before the delayer rule is touched', () => {
    expect(plan({ down: true, lossPct: 1 })).toEqual([
      '[unless iptables -t mangle -C PREROUTING -i eth1 -m comment --comment emunet-down -j DROP] iptables -t mangle -I PREROUTING -i eth1 -m comment --comment emunet-down -j DROP',
      '[unless iptables -t mangle -C POSTROUTING -o eth1 -m comment --comment emunet-down -j DROP] iptables -t mangle -I POSTROUTING -o eth1 -m comment --comment emunet-down -j DROP',
      'tc qdisc del dev eth1 root || true',
      ...NO_INGRESS,
      TO_DELAYER,
    ]);
  });

  it('{} removes the tbf, the ifb, the delayer rule and the down rules', () => {
    const reset = ['tc qdisc del dev eth1 root || true', ...NO_INGRESS, NOT_TO_DELAYER, ...UP];
    expect(plan({})).toEqual(reset);
    expect(resetPlan('eth1', userspace).commands.map(render)).toEqual(reset);
    expect(resetPlan('eth1', userspace).delayer).toBeUndefined();
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

  it('runs one delayer per device, on its own queue', () => {
    expect(delayerConfigPath('eth2')).toBe('/run/emunet/nfdelay-eth2.conf');
    expect(delayerArgv('eth2', 9)).toEqual(['emunet-nfdelay', '--queue', '9', '--config', '/run/emunet/nfdelay-eth2.conf']);
  });
});

describe('iptables rules', () => {
  it('userspaceRules: the NFQUEUE rule, without --queue-bypass, and its removal', () => {
    expect(userspaceRules('eth1', 3)).toEqual({
      add: [['iptables', '-t', 'mangle', '-A', 'POSTROUTING', '-o', 'eth1', '-m', 'comment', '--comment', 'emunet-delay', '-j', 'NFQUEUE', '--queue-num', '3']],
      remove: [['iptables', '-t', 'mangle', '-D', 'POSTROUTING', '-o', 'eth1', '-m', 'comment', '--comment', 'emunet-delay', '-j', 'NFQUEUE', '--queue-num', '3']],
    });
  });

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

describe('rule order on a host (fake-host.ts)', () => {
  it('keeps the DROP rules ahead of the NFQUEUE rule, whichever came first', async () => {
    for (const sequence of [[{ lossPct: 1 }, { lossPct: 1, down: true }], [{ down: true }, { lossPct: 1, down: true }]]) {
      const host = new FakeHost(['eth1']);
      for (const impairment of sequence) await runCommands(impairmentPlan('eth1', impairment, userspace).commands, host.run);
      expect(host.chains.get('mangle POSTROUTING')).toEqual([
        '-o eth1 -m comment --comment emunet-down -j DROP',
        '-o eth1 -m comment --comment emunet-delay -j NFQUEUE --queue-num 3',
      ]);
    }
  });
});
