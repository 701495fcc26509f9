import { describe, expect, it } from 'vitest';
import { describeLookup, mulberry32, planLookups } from '../../../images/agent/src/dns/lookup-plan.js';
import { a } from './hierarchy.js';

describe('dns-lookup plans', () => {
  it('repeat the list count times', () => {
    expect(planLookups({ names: ['a', 'b'], count: 2 }, 1)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('draw Zipf-distributed names, the same for the same seed', () => {
    const plan = { zipf: { names: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10'], s: 1 }, count: 2000 };
    const draws = planLookups(plan, 7);
    expect(planLookups(plan, 7)).toEqual(draws);
    expect(planLookups(plan, 8)).not.toEqual(draws);
    const share = (n: string) => draws.filter((d) => d === n).length / draws.length;
    // H(10) = 2.929: p1 gets ~34 %, p2 ~17 %, p10 ~3.4 %.
    expect(share('p1')).toBeGreaterThan(0.29);
    expect(share('p1')).toBeLessThan(0.39);
    expect(share('p2')).toBeGreaterThan(0.13);
    expect(share('p10')).toBeLessThan(0.06);
  });

  it('mulberry32 gives values in [0, 1)', () => {
    const r = mulberry32(1);
    const xs = Array.from({ length: 1000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  it('describe a lookup as key=value pairs', () => {
    const answers = [{ name: 'alias.x', type: 'CNAME' as const, ttl: 1, data: 'www.x' }, a('www.x', '10.0.0.5'), a('www.x', '10.0.0.6')];
    const trace = { cache: 'miss' as const, queries: 3, servers: ['a.root-servers.net@10.0.0.2', 'a.edu-servers.net@10.0.1.2', 'ns1.x@10.0.2.2'], ms: 3 };
    expect(describeLookup('NOERROR', answers, 'A', trace)).toBe('rcode=NOERROR answer=10.0.0.5,10.0.0.6 cname=www.x cache=miss queries=3 servers=a.root-servers.net,a.edu-servers.net,ns1.x');
    expect(describeLookup('NXDOMAIN', [], 'A')).toBe('rcode=NXDOMAIN answer=');
  });
});
