import { describe, expect, it } from 'vitest';
import { deployLab } from '../../../orchestrator/deploy/deploy.js';
import { destroyLab } from '../../../orchestrator/deploy/destroy.js';
import { silentReporter } from '../../../orchestrator/deploy/lab.js';
import { ClusterRuntime, SubnetClashError } from '../../../orchestrator/swarm/cluster-runtime.js';
import { planOverlays } from '../../../orchestrator/swarm/networks.js';
import { FakeRuntime } from '../../support/fake-runtime.js';
import { linePlan } from '../../support/plans.js';

function cluster() {
  const [a, b] = [new FakeRuntime(), new FakeRuntime()];
  // Distinct id spaces, as on two real engines.
  let n = 0;
  for (const fake of [a, b]) {
    const create = fake.createContainer.bind(fake);
    fake.createContainer = async (spec) => {
      const id = await create(spec);
      const unique = `${fake === a ? 'a' : 'b'}${++n}`;
      const info = fake.containers.get(id)!;
      fake.containers.delete(id);
      fake.containers.set(unique, { ...info, id: unique });
      return unique;
    };
  }
  return { a, b, runtime: new ClusterRuntime([{ name: 'h1', runtime: a }, { name: 'h2', runtime: b }], a, { sleep: async () => undefined }) };
}

describe('cluster runtime', () => {
  it('creates networks on the manager and each node on the engine of its host; everything by id goes there', async () => {
    const { a, b, runtime } = cluster();
    const swarm = planOverlays(linePlan, new Map([['h1', 'h1'], ['r1', 'h2']]), ['h1', 'h2']);
    const lab = await deployLab(linePlan, { runtime, image: 'img', owner: 'me', topologyFile: '/t', reporter: silentReporter, concurrency: 2, readyTimeoutMs: 1000, swarm });
    expect([...a.networks.values()].map((n) => [n.spec.name, n.spec.driver])).toEqual([['emunet-line-a', 'overlay'], ['emunet-line-b', 'overlay']]);
    expect(b.networks.size).toBe(0);
    expect([...a.containers.values()].map((c) => c.name)).toEqual(['emunet-line-h1']);
    expect([...b.containers.values()].map((c) => c.name)).toEqual(['emunet-line-r1']);
    // A router on overlays needs no host firewall rule: no helper container ran.
    expect(a.calls.concat(b.calls).some((c) => c.includes('firewall'))).toBe(false);
    const r1 = lab.nodes.find((x) => x.name === 'r1')!;
    b.execHandler = () => ({ exitCode: 0, stdout: 'on b', stderr: '' });
    expect((await runtime.exec(r1.id, ['true'])).stdout).toBe('on b');
  });

  it('finds a container it did not create (a new CLI process) by listing every host', async () => {
    const { b, runtime } = cluster();
    const id = await b.createContainer({ name: 'x', image: 'i', labels: { 'emunet.owner': 'me', 'emunet.lab': 'l' }, capAdd: [] });
    const fresh = new ClusterRuntime([{ name: 'h1', runtime: new FakeRuntime() }, { name: 'h2', runtime: b }], b);
    b.execHandler = () => ({ exitCode: 0, stdout: 'found', stderr: '' });
    expect((await fresh.exec(id, ['true'])).stdout).toBe('found');
    await expect(runtime.exec('nope', ['true'])).rejects.toThrow(/no host of this cluster has container nope/);
  });

  it('destroy removes containers on every host, then the overlays, and is idempotent', async () => {
    const { a, b, runtime } = cluster();
    const swarm = planOverlays(linePlan, new Map([['h1', 'h2'], ['r1', 'h2']]), ['h1', 'h2']);
    await deployLab(linePlan, { runtime, image: 'img', owner: 'me', topologyFile: '/t', reporter: silentReporter, concurrency: 2, readyTimeoutMs: 1000, swarm });
    expect(await destroyLab(runtime, { lab: 'line', concurrency: 2 })).toMatchObject({ labs: ['line'], containers: 2, networks: 2 });
    expect(a.containers.size + b.containers.size + a.networks.size).toBe(0);
    expect(await destroyLab(runtime, { lab: 'line', concurrency: 2 })).toMatchObject({ labs: [], containers: 0, networks: 0 });
  });

  it('retries a network removal while a worker still holds endpoints', async () => {
    const { a, runtime } = cluster();
    const net = await runtime.createNetwork({ name: 'n', subnet: '10.0.0.0/24', gateway: '10.0.0.1', internal: true, labels: {}, driver: 'overlay' });
    const remove = a.removeNetwork.bind(a);
    let refusals = 2;
    a.removeNetwork = async (id) => { if (refusals-- > 0) throw new Error('error while removing network: network n id x has active endpoints'); return remove(id); };
    await runtime.removeNetwork(net.id);
    expect(a.networks.size).toBe(0);
  });
});

describe('cluster runtime: overlay attachment', () => {
  const timeout = 'start container x: attaching to network failed, make sure your network options are correct and check manager logs: context deadline exceeded';
  async function failingJoin() {
    const [manager, host] = [new FakeRuntime(), new FakeRuntime()];
    const runtime = new ClusterRuntime([{ name: 'h1', runtime: host }], manager, { sleep: async () => undefined });
    await host.createNetwork({ name: 'bridge', subnet: '172.17.0.0/16', gateway: '172.17.0.1', internal: false, labels: {} }); // ids differ from the manager's
    await runtime.createNetwork({ name: 'lab-right', subnet: '10.213.3.0/24', gateway: '10.213.3.1', internal: true, labels: {}, driver: 'overlay', ipRange: '10.213.3.128/25' });
    const id = await runtime.createContainer({ name: 'x', image: 'i', labels: {}, capAdd: [], networks: [{ network: 'lab-right', address: '10.213.3.2' }] });
    let starts = 0;
    host.startContainer = async () => { starts++; throw new Error(timeout); };
    return { host, runtime, id, starts: () => starts };
  }

  it('names a bridge made meanwhile with the overlay\'s subnet on the same engine, so deploy plans again', async () => {
    const { host, runtime, id, starts } = await failingJoin();
    await host.createNetwork({ name: 'other-campus', subnet: '10.213.3.0/24', gateway: '10.213.3.1', internal: true, labels: {} });
    await expect(runtime.startContainer(id)).rejects.toSatisfy((e: Error) => e instanceof SubnetClashError && /overlay lab-right \(10\.213\.3\.0\/24\) has the subnet of network other-campus/.test(e.message));
    expect(starts()).toBe(1); // a second start of the same container cannot succeed: Docker no longer finds the network
  });

  it('passes any other failed join on as it is', async () => {
    const { runtime, id } = await failingJoin();
    await expect(runtime.startContainer(id)).rejects.toSatisfy((e: Error) => !(e instanceof SubnetClashError) && e.message === timeout);
  });
});
