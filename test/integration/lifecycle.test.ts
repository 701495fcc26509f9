import { execa } from 'execa';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../orchestrator/api.js';
import { LabExistsError } from '../../orchestrator/deploy/deploy.js';
import { NotReadyError } from '../../orchestrator/deploy/ready.js';
import { firewallSnapshot, labObjects, repo, runtime, sh, testContext, topologyAs } from '../support/docker.js';

const ctx = testContext();
const LABS = ['it-life-a', 'it-life-b', 'it-life-slow', 'it-life-sig'];
let firewallBefore: string;

beforeAll(async () => {
  for (const lab of LABS) await api.destroy(lab, ctx);
  firewallBefore = await firewallSnapshot();
});
afterAll(async () => {
  for (const lab of LABS) await api.destroy(lab, ctx);
});

describe('lab lifecycle', () => {
  it('runs two labs side by side on separate subnets, and refuses a name already running', async () => {
    const a = await api.deploy(await topologyAs('topologies/hello.yaml', 'it-life-a'), ctx);
    const b = await api.deploy(await topologyAs('topologies/hello.yaml', 'it-life-b'), ctx);
    const subnets = (lab: typeof a) => lab.networks.map((n) => n.subnet);
    expect(subnets(a).filter((s) => subnets(b).includes(s))).toEqual([]);
    expect(await sh('it-life-b', 'client', 'ping -c 1 -W 2 server')).toMatch(/1 received/);
    // Lab a has no route to lab b's addresses: the labs cannot even try to talk (nothing is sent).
    const bServer = b.plan.hosts.find((h) => h.name === 'server')!.address;
    expect((await api.exec('it-life-a', 'client', ['ip', 'route', 'get', bServer], ctx)).exitCode).not.toBe(0);
    await expect(api.deploy(await topologyAs('topologies/hello.yaml', 'it-life-a'), ctx)).rejects.toThrow(LabExistsError);
  });

  it('lists running labs from labels alone', async () => {
    const [summary] = await api.inspect('it-life-a', ctx);
    expect(summary!.nodes.map((n) => [n.node, n.role, n.state])).toEqual([['client', 'host', 'running'], ['r1', 'router', 'running'], ['server', 'host', 'running']]);
    expect(summary!.networks.map((n) => n.network)).toEqual(['left', 'right']);
  });

  it('destroys from labels, leaves nothing behind, and is idempotent', async () => {
    const first = await api.destroy('it-life-a', ctx);
    expect(first).toMatchObject({ labs: ['it-life-a'], containers: 3, networks: 2, firewallRules: 2 });
    expect(await labObjects('it-life-a')).toBe(0);
    expect(await api.destroy('it-life-a', ctx)).toMatchObject({ labs: [], containers: 0, networks: 0, firewallRules: 0 });
    expect(await labObjects('it-life-b')).toBe(5);
    await api.destroy('it-life-b', ctx);
  });

  it('leaves the host firewall exactly as it found it', async () => {
    expect(await firewallSnapshot()).toBe(firewallBefore);
  });

  it('names the nodes that never became ready and rolls the deploy back', async () => {
    const err = await api.deploy(await topologyAs('topologies/hello.yaml', 'it-life-slow'), testContext({ readyTimeoutMs: 1 })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(NotReadyError);
    expect((err as Error).message).toMatch(/did not become ready within 0.001 s/);
    expect((err as Error).message).toMatch(/--- (client|r1|server) \(last log lines\) ---/);
    expect(await labObjects('it-life-slow')).toBe(0);
    expect(await firewallSnapshot()).toBe(firewallBefore);
  });

  it('rolls back a deploy interrupted with SIGTERM', async () => {
    const topology = path.join(repo, 'test/fixtures/valid/line.yaml');
    const child = execa('node', [path.join(repo, 'bin/emunet.js'), 'deploy', topology], { reject: false });
    // Interrupt as soon as the first container exists.
    for (let i = 0; i < 300 && (await runtime.listContainers({ 'emunet.lab': 'line' })).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/SIGTERM/);
    expect(await labObjects('line')).toBe(0);
    expect(await firewallSnapshot()).toBe(firewallBefore);
  });
});
