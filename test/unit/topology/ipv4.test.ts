import { describe, expect, it } from 'vitest';
import {
  blockSize, broadcastAddress, canonical, contains, formatCidr, formatIpv4, isCanonical, networkAddress, nthAddress, overlaps, parseCidr, parseIpv4,
} from '../../../orchestrator/topology/ipv4.js';

const cidr = (text: string) => {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`bad test CIDR ${text}`);
  return parsed;
};

describe('ipv4', () => {
  it('parses and formats dotted quads, including the extremes', () => {
    expect(parseIpv4('10.213.1.10')).toBe(0x0ad5010a);
    expect(formatIpv4(parseIpv4('255.255.255.255') as number)).toBe('255.255.255.255');
    expect(formatIpv4(parseIpv4('0.0.0.0') as number)).toBe('0.0.0.0');
  });

  it.each(['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.x', '', ' 1.2.3.4'])('rejects %j', (text) => {
    expect(parseIpv4(text)).toBeUndefined();
  });

  it('parses CIDRs and rejects missing or out-of-range prefixes', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: 0x0a000000, prefix: 8 });
    expect(formatCidr(cidr('10.213.1.0/24'))).toBe('10.213.1.0/24');
    expect(parseCidr('10.0.0.0')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });

  it('computes block boundaries and host addresses', () => {
    const subnet = cidr('10.213.1.77/24');
    expect(blockSize(24)).toBe(256);
    expect(formatIpv4(networkAddress(subnet))).toBe('10.213.1.0');
    expect(formatIpv4(broadcastAddress(subnet))).toBe('10.213.1.255');
    expect(formatIpv4(nthAddress(subnet, 1))).toBe('10.213.1.1');
    expect(isCanonical(subnet)).toBe(false);
    expect(formatCidr(canonical(subnet))).toBe('10.213.1.0/24');
    expect(formatIpv4(broadcastAddress(cidr('0.0.0.0/0')))).toBe('255.255.255.255');
  });

  it('tells containment and overlap', () => {
    expect(contains(cidr('10.213.1.0/24'), parseIpv4('10.213.1.200') as number)).toBe(true);
    expect(contains(cidr('10.213.1.0/24'), parseIpv4('10.213.2.0') as number)).toBe(false);
    expect(overlaps(cidr('10.213.0.0/16'), cidr('10.213.5.0/24'))).toBe(true);
    expect(overlaps(cidr('10.213.5.0/24'), cidr('10.213.0.0/16'))).toBe(true);
    expect(overlaps(cidr('10.213.1.0/24'), cidr('10.213.2.0/24'))).toBe(false);
  });
});
