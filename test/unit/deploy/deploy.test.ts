import { describe, expect, it } from 'vitest';
import { deployLab, LabExistsError, type DeployOptions } from '../../../orchestrator/deploy/deploy.js';
import { destroyLab } from '../../../orchestrator/deploy/destroy.js';
import { silentReporter } from '../../../orchestrator/deploy/lab.js';
import { NotReadyError } from '../../../orchestrator/deploy/ready.js';
import { FakeRuntime } from '../../support/fake-runtime.js';
import { linePlan } from '../../support/plans.js';

const options = (runtime: FakeRuntime, extra: Partial<DeployOptions> = {}): DeployOptions => ({
  runtime, image: 'emunet/agent:x', owner: 'me', topologyFile: '/t.yaml', reporter: silentReporter, concurrency: 4, readyTimeoutMs: 2000, ...extra,
});
const labObjects = async (rt: FakeRuntime) => (await rt.listContainers({ 'emunet.lab': true })).length + (await rt.listNetworks({ 'emunet.lab': true })).length;

describe('deployLab', () => {
  it('creates networks, then containers, and returns when every agent is ready', async () => {
    const rt = new FakeRuntime();
    const lab = await deployLab(linePlan, options(rt));
    expect(lab.nodes.map((n) => n.name)).toEqual(['h1', 'r1']);
    expect(lab.networks.map((n) => n.bridge)).toEqual(lab.networks.map((n) => `br-${n.id.slice(0, 12)}`));
    expect(rt.calls.findIndex((c) => c.startsWith('createContainer'))).toBeGreaterThan(rt.calls.lastIndexOf('createNetwork emunet-line-b'));
    expect([...rt.containers.values()].every((c) => c.state === 'running')).toBe(true);
  });

  it('refuses a lab name that is already running and changes nothing', async () => {
    const rt = new FakeRuntime();
    await deployLab(linePlan, options(rt));
    const before = rt.calls.length;
    await expect(deployLab(linePlan, options(rt))).rejects.toThrow(LabExistsError);
    await expect(deployLab(linePlan, options(rt))).rejects.toThrow(/emunet destroy line/);
    expect(rt.calls.slice(before).filter((c) => c.startsWith('create'))).toEqual([]);
  });

  it('rolls back everything it created when a container cannot be created', async () => {
    const rt = new FakeRuntime();
    rt.failCreate = 'emunet-line-r1';
    await expect(deployLab(linePlan, options(rt))).rejects.toThrow(/simulated failure/);
    expect(await labObjects(rt)).toBe(0);
  });

  it('names the node that never became ready, shows its log, and rolls back', async () => {
    const rt = new FakeRuntime();
    rt.startLines = (spec) => (spec.labels['emunet.node'] === 'r1' ? ['still thinking'] : [JSON.stringify({ type: 'ready' })]);
    const err = await deployLab(linePlan, options(rt, { readyTimeoutMs: 50 })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(NotReadyError);
    expect((err as Error).message).toMatch(/node\(s\) r1 did not become ready within 0.05 s/);
    expect((err as Error).message).toContain('still thinking');
    expect(await labObjects(rt)).toBe(0);
  });

  it('fails fast with the agent error when an agent cannot start', async () => {
    const rt = new FakeRuntime();
    rt.startLines = () => [JSON.stringify({ type: 'error', message: 'ip route replace failed' })];
    await expect(deployLab(linePlan, options(rt, { readyTimeoutMs: 60_000 }))).rejects.toThrow(/failed to start: ip route replace failed/);
    expect(await labObjects(rt)).toBe(0);
  });

  it('stops and rolls back when interrupted', async () => {
    const rt = new FakeRuntime();
    const abort = new AbortController();
    rt.startLines = () => [];
    const pending = deployLab(linePlan, options(rt, { signal: abort.signal, readyTimeoutMs: 60_000 }));
    setTimeout(() => abort.abort(new Error('interrupted by SIGTERM')), 20);
    await expect(pending).rejects.toThrow(/SIGTERM/);
    expect(await labObjects(rt)).toBe(0);
  });
});

describe('destroyLab', () => {
  it('removes one lab by its labels and is idempotent', async () => {
    const rt = new FakeRuntime();
    await deployLab(linePlan, options(rt));
    await deployLab({ ...linePlan, lab: 'other' }, options(rt));
    const first = await destroyLab(rt, { lab: 'line', concurrency: 4 });
    expect(first).toMatchObject({ labs: ['line'], containers: 2, networks: 2 });
    expect(await destroyLab(rt, { lab: 'line', concurrency: 4 })).toMatchObject({ labs: [], containers: 0, networks: 0 });
    expect((await rt.listContainers({ 'emunet.lab': 'other' })).length).toBe(2);
    expect(await destroyLab(rt, { concurrency: 4 })).toMatchObject({ labs: ['other'] });
    expect(await labObjects(rt)).toBe(0);
  });
});
