import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../orchestrator/api.js';
import type { Lab } from '../../orchestrator/deploy/lab.js';
import { labObjects, runtime, sh, testContext, topologyAs } from '../support/docker.js';

// h1 -a- r1 -b- r2 -c- h2: every packet between the hosts crosses two routers.
const LAB = 'it-routing';
const ctx = testContext();
let lab: Lab;

const forwarded = async (node: string) => {
  const snmp = (await sh(LAB, node, 'cat /proc/net/snmp')).split('\n').filter((l) => l.startsWith('Ip:'));
  const [names, values] = snmp.map((l) => l.split(/\s+/));
  return Number(values![names!.indexOf('ForwDatagrams')]);
};

beforeAll(async () => {
  await api.destroy(LAB, ctx);
  lab = await api.deploy(await topologyAs('test/fixtures/valid/line.yaml', LAB), ctx);
});
afterAll(async () => {
  await api.destroy(LAB, ctx);
  expect(await labObjects(LAB)).toBe(0);
});

describe('routing across two routers', () => {
  it('delivers a packet from h1 to h2 after exactly two router hops (TTL 64 -> 62)', async () => {
    const out = await sh(LAB, 'h1', 'ping -c 3 -i 0.2 -W 2 h2');
    expect(out).toMatch(/3 received/);
    expect(out).toMatch(/ttl=62/);
  });

  it('sends the traffic through r1 and r2 (their forwarding counters rise)', async () => {
    const before = [await forwarded('r1'), await forwarded('r2')];
    await sh(LAB, 'h1', 'ping -c 5 -i 0.2 -W 2 h2');
    const after = [await forwarded('r1'), await forwarded('r2')];
    // 5 echo requests and 5 replies cross each router.
    expect(after[0]! - before[0]!).toBeGreaterThanOrEqual(10);
    expect(after[1]! - before[1]!).toBeGreaterThanOrEqual(10);
  });

  it('installs the computed next hops, and no default route', async () => {
    const r2OnB = lab.plan.nodes.find((n) => n.name === 'r2')!.interfaces.find((i) => i.network === 'b')!.address;
    const routes = await sh(LAB, 'r1', 'ip -4 route');
    expect(routes).toContain(`10.213.3.0/24 via ${r2OnB}`);
    expect(routes).not.toMatch(/^default/m);
  });

  it('is hermetic: an address outside the lab has no route at all (checked without sending)', async () => {
    const r = await api.exec(LAB, 'h1', ['ip', 'route', 'get', '192.0.2.1'], ctx);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/unreachable/i);
  });

  it('copies files out of a container as a tar archive', async () => {
    const tar = await runtime.copyFrom(lab.nodes.find((n) => n.name === 'h1')!.id, '/etc/hostname');
    expect(tar.subarray(0, 100).toString()).toContain('hostname');
    expect(tar.toString()).toContain('h1\n');
  });

  it('runs the probe workload across the routers on the agent image (Node 18)', async () => {
    const out = await sh(LAB, 'h1', 'node --version && node /opt/emunet/agent.mjs workload probe \'{"target":"h2","count":3}\'');
    const records = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(records.filter((r) => r.metric === 'udp_rtt')).toHaveLength(3);
    expect(records.filter((r) => r.metric === 'tcp_rtt').every((r) => r.value > 0)).toBe(true);
  });
});
