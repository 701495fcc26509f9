import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../../../orchestrator/api.js';
import { EngineError, type NetworkInfo, type NetworkSpec } from '../../../orchestrator/runtime/runtime.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

// Two labs deployed at once (two terminals, parallel tests) both see a subnet free, and the
// engine refuses the second create with "Pool overlaps": the loser plans again around it.
class RacingRuntime extends FakeRuntime {
  raced = 0;
  constructor(private readonly races: number) { super(); }
  override async createNetwork(spec: NetworkSpec): Promise<NetworkInfo> {
    if (this.raced < this.races && !spec.labels['emunet.lab']?.startsWith('other')) {
      this.raced++;
      // The other lab's network lands first, on the subnet we planned.
      await super.createNetwork({ ...spec, name: `other-${this.raced}`, labels: { 'emunet.lab': `other-${this.raced}` } });
      throw new EngineError(`create network ${spec.name}: Pool overlaps with other one on this address space`, 403);
    }
    return super.createNetwork(spec);
  }
}

const hello = async () => (await api.validate(path.resolve(import.meta.dirname, '../../../topologies/hello.yaml'), {})).topology;
const context = (runtime: FakeRuntime, info: string[] = []) => ({ ...api.contextDefaults(runtime, 'test'), reporter: { info: (m: string) => info.push(m), done: () => undefined, progress: () => undefined } });

describe('a subnet taken by another lab between planning and creating', () => {
  it('is planned around: the deploy succeeds on other subnets, and says why it re-planned', async () => {
    const runtime = new RacingRuntime(1);
    const info: string[] = [];
    const lab = await api.deploy(await hello(), context(runtime, info));
    const ours = lab.networks.map((n) => n.subnet);
    const theirs = (await runtime.listNetworks({ 'emunet.lab': 'other-1' })).flatMap((n) => n.subnets);
    expect(ours).not.toContain(theirs[0]);
    expect(info.join('\n')).toMatch(/another lab took a subnet meanwhile.*planning the lab's subnets again/);
  });

  it('gives up after three tries with the engine\'s message, leaving nothing of the lab', async () => {
    const runtime = new RacingRuntime(100);
    await expect(api.deploy(await hello(), context(runtime))).rejects.toThrow(/Pool overlaps/);
    expect(await runtime.listContainers({ 'emunet.lab': 'hello' })).toEqual([]);
    expect(await runtime.listNetworks({ 'emunet.lab': 'hello' })).toEqual([]);
  });
});
