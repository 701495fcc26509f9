import { describe, expect, it } from 'vitest';
import { ConeMappings, mappingOf, parseConntrackEvent } from '../../../images/agent/src/nat/cone.js';
import { coneRule, inSubnet, natSetup, subnetOf, type NatInterfaces } from '../../../images/agent/src/nat/rules.js';

const ifs: NatInterfaces = { inside: 'eth0', outside: 'eth1', publicAddress: '10.213.1.3', insideSubnet: '10.213.4.0/24' };
const argv = (type: 'cone' | 'restricted' | 'symmetric') => natSetup(type, ifs).filter((c) => !c.tolerate).map((c) => c.argv.join(' '));

describe('NAT rule builders', () => {
  it('translates the inside network to the public address and admits from outside only related traffic', () => {
    expect(argv('restricted')).toEqual([
      'iptables -w -t raw -N EMUNET-NAT-RAW',
      'iptables -w -t filter -N EMUNET-NAT',
      'iptables -w -t filter -N EMUNET-NAT-IN',
      'iptables -w -t nat -N EMUNET-NAT-PRE',
      'iptables -w -t nat -N EMUNET-NAT-POST',
      'iptables -w -t raw -A EMUNET-NAT-RAW -i eth0 -j ACCEPT',
      'iptables -w -t raw -A EMUNET-NAT-RAW -i eth1 -j ACCEPT',
      'iptables -w -A EMUNET-NAT -i eth0 -o eth1 -j ACCEPT',
      'iptables -w -A EMUNET-NAT -i eth1 -o eth0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      'iptables -w -A EMUNET-NAT -i eth1 -o eth0 -j DROP',
      'iptables -w -A EMUNET-NAT-IN -i eth1 -p udp -m conntrack --ctstate NEW -m udp ! --dport 7 -j DROP',
      'iptables -w -t nat -A EMUNET-NAT-POST -o eth1 -s 10.213.4.0/24 -j SNAT --to-source 10.213.1.3',
      'iptables -w -t raw -I PREROUTING 1 -j EMUNET-NAT-RAW',
      'iptables -w -t filter -I FORWARD 1 -j EMUNET-NAT',
      'iptables -w -t filter -I INPUT 1 -j EMUNET-NAT-IN',
      'iptables -w -t nat -I PREROUTING 1 -j EMUNET-NAT-PRE',
      'iptables -w -t nat -I POSTROUTING 1 -j EMUNET-NAT-POST',
    ]);
  });

  it('symmetric: a random port per new flow; cone: admits what its DNAT rules map', () => {
    expect(argv('symmetric')).toContain('iptables -w -t nat -A EMUNET-NAT-POST -o eth1 -s 10.213.4.0/24 -j SNAT --to-source 10.213.1.3 --random-fully');
    expect(argv('symmetric').some((a) => a.includes('DNAT'))).toBe(false);
    expect(argv('cone')).toContain('iptables -w -A EMUNET-NAT -i eth1 -o eth0 -m conntrack --ctstate DNAT -j ACCEPT');
    // The DROP comes after every ACCEPT.
    const cone = argv('cone');
    expect(cone.findIndex((a) => a.endsWith('-j DROP') && a.includes('EMUNET-NAT -i'))).toBeGreaterThan(cone.findIndex((a) => a.includes('DNAT -j ACCEPT')));
  });

  it('cleans up a previous start first, tolerating what is not there', () => {
    const cleanup = natSetup('cone', ifs).filter((c) => c.tolerate).map((c) => c.argv.join(' '));
    expect(cleanup).toContain('iptables -w -t filter -D FORWARD -j EMUNET-NAT');
    expect(cleanup).toContain('iptables -w -t nat -X EMUNET-NAT-PRE');
  });

  it('builds the full-cone DNAT rule of a mapping', () => {
    expect(coneRule('-A', { publicPort: 5000, inside: { address: '10.213.4.3', port: 5000 } }, ifs).join(' ')).toBe('iptables -w -t nat -A EMUNET-NAT-PRE -i eth1 -p udp -d 10.213.1.3 --dport 5000 -j DNAT --to-destination 10.213.4.3:5000');
  });

  it('computes subnets', () => {
    expect(subnetOf('10.213.4.7', 24)).toBe('10.213.4.0/24');
    expect(subnetOf('10.213.4.200', 26)).toBe('10.213.4.192/26');
    expect(inSubnet('10.213.4.9', '10.213.4.0/24')).toBe(true);
    expect(inSubnet('10.213.5.9', '10.213.4.0/24')).toBe(false);
  });
});

describe('full-cone mappings from conntrack events', () => {
  const out = '    [NEW] udp      17 30 src=10.213.4.3 dst=10.213.0.5 sport=5000 dport=3478 [UNREPLIED] src=10.213.0.5 dst=10.213.1.3 sport=3478 dport=5000';
  const outEnd = '[DESTROY] udp      17 src=10.213.4.3 dst=10.213.0.5 sport=5000 dport=3478 src=10.213.0.5 dst=10.213.1.3 sport=3478 dport=5000';
  const inbound = '    [NEW] udp      17 30 src=10.213.2.4 dst=10.213.1.3 sport=5000 dport=5000 [UNREPLIED] src=10.213.4.3 dst=10.213.2.4 sport=5000 dport=5000';
  const inboundEnd = '[DESTROY] udp      17 src=10.213.2.4 dst=10.213.1.3 sport=5000 dport=5000 src=10.213.4.3 dst=10.213.2.4 sport=5000 dport=5000';

  it('parses both tuples of an event', () => {
    expect(parseConntrackEvent(out)).toEqual({ event: 'NEW', protocol: 'udp', original: { src: '10.213.4.3', dst: '10.213.0.5', sport: 5000, dport: 3478 }, reply: { src: '10.213.0.5', dst: '10.213.1.3', sport: 3478, dport: 5000 } });
    expect(parseConntrackEvent('conntrack v1.4.7 (conntrack-tools): 0 flow events have been shown.')).toBeUndefined();
  });

  it('finds the mapping of outbound (SNAT) and inbound (full-cone DNAT) flows, and nothing for others', () => {
    expect(mappingOf(parseConntrackEvent(out)!, ifs)).toEqual({ publicPort: 5000, inside: { address: '10.213.4.3', port: 5000 } });
    expect(mappingOf(parseConntrackEvent(inbound)!, ifs)).toEqual({ publicPort: 5000, inside: { address: '10.213.4.3', port: 5000 } });
    expect(mappingOf(parseConntrackEvent('[NEW] udp 17 30 src=10.213.1.9 dst=10.213.1.3 sport=1 dport=7 [UNREPLIED] src=10.213.1.3 dst=10.213.1.9 sport=7 dport=1')!, ifs)).toBeUndefined();
  });

  it('opens a rule with the first flow of a mapping and closes it with the last', () => {
    const cone = new ConeMappings(ifs);
    const apply = (line: string) => cone.apply(parseConntrackEvent(line)!).map((c) => `${c.action} ${c.mapping.publicPort}`);
    expect(apply(out)).toEqual(['-A 5000']);
    expect(apply(out)).toEqual([]); // a repeated event changes nothing
    expect(apply(inbound)).toEqual([]);
    expect(apply(outEnd)).toEqual([]);
    expect(cone.list()).toHaveLength(1);
    expect(apply(inboundEnd)).toEqual(['-D 5000']);
    expect(apply(inboundEnd)).toEqual([]);
    expect(cone.list()).toEqual([]);
  });
});
