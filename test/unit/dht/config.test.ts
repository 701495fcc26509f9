import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, paramsFromArgs, parseNodeConfig } from '../../../images/agent/src/dht/config.js';
import { expandNodes, parseHosts, resolveTarget } from '../../../images/agent/src/dht/hosts.js';
import { keyList, lookupOrder } from '../../../images/agent/src/dht/plan.js';
import { mulberry32 } from '../../../images/agent/src/common/random.js';

describe('dht-node config', () => {
  it('fills defaults: m = 16, shortcuts, two successors, both holding replicas', () => {
    expect(parseNodeConfig({})).toEqual({ bootstrap: [], create: false, port: 4000, params: DEFAULT_PARAMS });
    expect(DEFAULT_PARAMS).toMatchObject({ m: 16, mode: 'shortcuts', successors: 2, replicas: 2 });
    const c = parseNodeConfig({ id: 13, m: 4, mode: 'ring', bootstrap: 'n1', successors: 3, periods: { ping: 200 } });
    expect(c).toMatchObject({ id: 13, bootstrap: ['n1'], params: { m: 4, mode: 'ring', successors: 3, replicas: 3, periods: { ping: 200, stabilize: 500, fingers: 1000 } } });
  });

  it('says what is wrong, where, and what it expected', () => {
    expect(() => parseNodeConfig({ mode: 'chord' })).toThrow('node.config.mode: expected "ring" or "shortcuts", found "chord"');
    expect(() => parseNodeConfig({ m: 64 })).toThrow('node.config.m: expected a whole number from 1 to 48, found 64');
    expect(() => parseNodeConfig({ m: 4, id: 16 })).toThrow('node.config.id: expected a whole number from 0 to 15, found 16');
    expect(() => parseNodeConfig({ succesors: 2 })).toThrow('node.config: unknown key(s) "succesors"; known keys are [id, bootstrap, create, port, m, mode, successors, replicas, periods, timeout]');
    expect(() => parseNodeConfig({ periods: { stabilise: 100 } })).toThrow('node.config.periods: unknown key(s) "stabilise"; known keys are [ping, stabilize, fingers]');
    expect(() => parseNodeConfig({ bootstrap: [1] })).toThrow('node.config.bootstrap: expected a node name (or address) or a list of them, found [1]');
    expect(() => parseNodeConfig({ successors: 2, replicas: 3 })).toThrow('node.config.replicas: expected a whole number from 0 to 2, found 3');
    expect(() => parseNodeConfig([])).toThrow('node.config: expected an object, found []');
  });

  it('takes the ring settings of dht-setup, mode also as shortcuts: 0|1 (a number expect: formulas can use)', () => {
    expect(paramsFromArgs({ shortcuts: 0, nodes: 'n1..n4', n: 2 }).mode).toBe('ring');
    expect(paramsFromArgs({ shortcuts: '1' }).mode).toBe('shortcuts');
    expect(paramsFromArgs({ mode: 'ring', m: '8' })).toMatchObject({ mode: 'ring', m: 8 });
    expect(() => paramsFromArgs({ mode: 'ring', shortcuts: 1 })).toThrow('args: give "mode" or "shortcuts", not both');
    expect(() => paramsFromArgs({ shortcuts: 2 })).toThrow('args.shortcuts: expected 0 or 1 (or true/false), found 2');
  });
});

describe('node names and addresses', () => {
  const hosts = parseHosts('127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n10.213.0.2\tn1 n1.ring\n10.213.0.3 n2 # comment\n10.213.0.9 n1\n');

  it('reads /etc/hosts: first entry wins, IPv6 lines are skipped', () => {
    expect([...hosts]).toEqual([['localhost', '127.0.0.1'], ['n1', '10.213.0.2'], ['n1.ring', '10.213.0.2'], ['n2', '10.213.0.3']]);
  });

  it('resolves names, name:port and addresses; an unknown name is an error naming it', () => {
    expect(resolveTarget('n2', hosts, 4000)).toEqual({ host: '10.213.0.3', port: 4000 });
    expect(resolveTarget('n1:4100', hosts, 4000)).toEqual({ host: '10.213.0.2', port: 4100 });
    expect(resolveTarget('10.213.0.7', hosts, 4000)).toEqual({ host: '10.213.0.7', port: 4000 });
    expect(() => resolveTarget('n3', hosts, 4000)).toThrow(/node "n3" is not in \/etc\/hosts: is it a node of this lab\? \(known: n1, n2…\)/);
  });

  it('expands node lists and ranges', () => {
    expect(expandNodes('n1..n4')).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(expandNodes('peer-8..peer-10')).toEqual(['peer-8', 'peer-9', 'peer-10']);
    expect(expandNodes(['a', 'b'])).toEqual(['a', 'b']);
    expect(expandNodes('a, b')).toEqual(['a', 'b']);
    expect(() => expandNodes('n4..n1')).toThrow('nodes: the range "n4..n1" runs backwards');
    expect(() => expandNodes(3)).toThrow('nodes: expected a list of node names or a range such as "n1..n64", found 3');
  });
});

describe('lookup plans', () => {
  it('names keys key-0… for a count, and draws them seeded', () => {
    expect(keyList(3)).toEqual(['key-0', 'key-1', 'key-2']);
    expect(keyList([13, '15'])).toEqual(['13', '15']);
    expect(() => keyList(['a b'])).toThrow(/without spaces/);
    expect(lookupOrder(keyList(5), undefined, mulberry32(1)).sort()).toEqual(keyList(5));
    expect(lookupOrder(keyList(50), 10, mulberry32(4))).toEqual(lookupOrder(keyList(50), 10, mulberry32(4)));
    expect(lookupOrder(keyList(50), 10, mulberry32(4))).not.toEqual(lookupOrder(keyList(50), 10, mulberry32(5)));
  });
});
