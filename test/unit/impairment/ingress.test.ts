import { describe, expect, it } from 'vitest';
import { delayHooks, delayRules, delaySettings, groupSenders, macFromIpv4 } from '../../../orchestrator/impairment/ingress.js';

describe('where the userspace backend holds packets', () => {
  it('derives MACs from addresses as Docker does', () => {
    expect(macFromIpv4('10.213.0.2')).toBe('02:42:0a:d5:00:02');
    expect(macFromIpv4('172.31.255.16')).toBe('02:42:ac:1f:ff:10');
  });

  it('hands the delayer only what it carries out, without zeros', () => {
    expect(delaySettings({ delayUs: 20_000, lossPct: 1, jitterUs: 0, rateBps: 1e6, downloadBps: 4e6, down: false })).toEqual({ delayUs: 20_000, lossPct: 1 });
  });

  it('uses one catch-all queue when every sender has the same settings', () => {
    const groups = groupSenders([{ address: '10.0.0.2', impairment: { delayUs: 5000 } }, { address: '10.0.0.3', impairment: { delayUs: 5000, rateBps: 1e6 } }], 10);
    expect(groups).toEqual([{ queue: 10, settings: { delayUs: 5000 } }]);
    expect(delayRules('eth0', 9, groups)).toBe(
      '*mangle\n-F emunet-in-eth0\n-F emunet-out-eth0\n-A emunet-in-eth0 ! -p icmp -m addrtype ! --dst-type BROADCAST -m addrtype ! --dst-type MULTICAST -j NFQUEUE --queue-num 10\n-A emunet-out-eth0 -p icmp -m addrtype ! --dst-type BROADCAST -m addrtype ! --dst-type MULTICAST -j NFQUEUE --queue-num 9\nCOMMIT\n',
    );
  });

  it('matches senders by MAC when their settings differ, and queues nothing for undelayed ones', () => {
    const groups = groupSenders(
      [
        { address: '10.0.0.2', impairment: { delayUs: 40_000 } },
        { address: '10.0.0.3', impairment: { delayUs: 80_000 } },
        { address: '10.0.0.4', impairment: {} },
        { address: '10.0.0.5', impairment: { delayUs: 40_000 } },
      ],
      1,
    );
    expect(groups).toEqual([
      { queue: 1, settings: { delayUs: 40_000 }, macs: ['02:42:0a:00:00:02', '02:42:0a:00:00:05'] },
      { queue: 2, settings: { delayUs: 80_000 }, macs: ['02:42:0a:00:00:03'] },
    ]);
    expect(delayRules('eth1', undefined, groups).split('\n')).toEqual([
      '*mangle',
      '-F emunet-in-eth1',
      '-F emunet-out-eth1',
      '-A emunet-in-eth1 ! -p icmp -m addrtype ! --dst-type BROADCAST -m addrtype ! --dst-type MULTICAST -m mac --mac-source 02:42:0a:00:00:02 -j NFQUEUE --queue-num 1',
      '-A emunet-in-eth1 ! -p icmp -m addrtype ! --dst-type BROADCAST -m addrtype ! --dst-type MULTICAST -m mac --mac-source 02:42:0a:00:00:05 -j NFQUEUE --queue-num 1',
      '-A emunet-in-eth1 ! -p icmp -m addrtype ! --dst-type BROADCAST -m addrtype ! --dst-type MULTICAST -m mac --mac-source 02:42:0a:00:00:03 -j NFQUEUE --queue-num 2',
      'COMMIT',
      '',
    ]);
  });

  it('flushes both chains when nothing is delayed any more', () => {
    expect(groupSenders([{ address: '10.0.0.2', impairment: { rateBps: 1e6 } }], 1)).toEqual([]);
    expect(delayRules('eth0', undefined, [])).toBe('*mangle\n-F emunet-in-eth0\n-F emunet-out-eth0\nCOMMIT\n');
  });

  it('exempts the device from conntrack and hooks the chains into PREROUTING and POSTROUTING, once', () => {
    expect(delayHooks('eth0')).toEqual([
      { argv: ['iptables', '-t', 'raw', '-A', 'PREROUTING', '-i', 'eth0', '-j', 'CT', '--notrack'], unless: ['iptables', '-t', 'raw', '-C', 'PREROUTING', '-i', 'eth0', '-j', 'CT', '--notrack'] },
      { argv: ['iptables', '-t', 'raw', '-A', 'OUTPUT', '-o', 'eth0', '-j', 'CT', '--notrack'], unless: ['iptables', '-t', 'raw', '-C', 'OUTPUT', '-o', 'eth0', '-j', 'CT', '--notrack'] },
      { argv: ['iptables', '-t', 'mangle', '-N', 'emunet-in-eth0'], unless: ['iptables', '-t', 'mangle', '-nL', 'emunet-in-eth0'] },
      { argv: ['iptables', '-t', 'mangle', '-A', 'PREROUTING', '-i', 'eth0', '-j', 'emunet-in-eth0'], unless: ['iptables', '-t', 'mangle', '-C', 'PREROUTING', '-i', 'eth0', '-j', 'emunet-in-eth0'] },
      { argv: ['iptables', '-t', 'mangle', '-N', 'emunet-out-eth0'], unless: ['iptables', '-t', 'mangle', '-nL', 'emunet-out-eth0'] },
      { argv: ['iptables', '-t', 'mangle', '-A', 'POSTROUTING', '-o', 'eth0', '-j', 'emunet-out-eth0'], unless: ['iptables', '-t', 'mangle', '-C', 'POSTROUTING', '-o', 'eth0', '-j', 'emunet-out-eth0'] },
    ]);
  });
});
