import { describe, expect, it } from 'vitest';
import { containerSpec, networkSpecs } from '../../../orchestrator/deploy/specs.js';
import { linePlan } from '../../support/plans.js';

const ctx = { image: 'emunet/agent:abc', owner: 'alice', topologyFile: '/t/line.yaml' };

describe('container specs', () => {
  it('names, labels and joins every network with its planned address', () => {
    const spec = containerSpec(linePlan, linePlan.nodes[1]!, ctx);
    expect(spec.name).toBe('emunet-line-r1');
    expect(spec.labels).toMatchObject({ 'emunet.lab': 'line', 'emunet.node': 'r1', 'emunet.role': 'router', 'emunet.owner': 'alice', 'emunet.addresses': 'a=10.9.1.3/24,b=10.9.2.2/24' });
    expect(spec.labels['emunet.config-hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(spec.networks).toEqual([{ network: 'emunet-line-a', address: '10.9.1.3' }, { network: 'emunet-line-b', address: '10.9.2.2' }]);
  });

  it('grants only NET_ADMIN and NET_RAW, and forwarding only to routers', () => {
    const router = containerSpec(linePlan, linePlan.nodes[1]!, ctx);
    const host = containerSpec(linePlan, linePlan.nodes[0]!, ctx);
    expect(router.capAdd).toEqual(['NET_ADMIN', 'NET_RAW']);
    expect(router.sysctls?.['net.ipv4.ip_forward']).toBe('1');
    expect(host.sysctls?.['net.ipv4.ip_forward']).toBeUndefined();
    expect(host.networkMode).toBeUndefined();
  });

  it('tells the agent its routes and config, and keeps name lookups in the lab', () => {
    const spec = containerSpec(linePlan, linePlan.nodes[0]!, ctx);
    const agent = JSON.parse(spec.env!.EMUNET_NODE!);
    expect(agent).toMatchObject({ lab: 'line', node: 'h1', role: 'host', routes: [{ destination: '10.9.2.0/24', via: '10.9.1.3' }], config: { x: 1 } });
    expect(spec.extraHosts).toEqual(['h1:10.9.1.2', 'r1:10.9.1.3']);
    expect(spec.dns).toEqual(['127.0.0.1']);
  });

  it('changes the config hash when anything the container runs changes', () => {
    const a = containerSpec(linePlan, linePlan.nodes[0]!, ctx).labels['emunet.config-hash'];
    const b = containerSpec(linePlan, linePlan.nodes[0]!, { ...ctx, image: 'emunet/agent:def' }).labels['emunet.config-hash'];
    expect(a).not.toBe(b);
  });

  it('makes every lab network internal, so Docker itself keeps traffic off the uplink', () => {
    const nets = networkSpecs(linePlan, ctx);
    expect(nets.map((n) => [n.name, n.subnet, n.gateway, n.internal])).toEqual([
      ['emunet-line-a', '10.9.1.0/24', '10.9.1.1', true],
      ['emunet-line-b', '10.9.2.0/24', '10.9.2.1', true],
    ]);
    expect(nets[0]!.labels).toMatchObject({ 'emunet.lab': 'line', 'emunet.network': 'a' });
  });
});
