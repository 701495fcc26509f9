import { afterAll, describe, expect, it } from 'vitest';
import * as api from '../../orchestrator/api.js';
import { shapeTopology } from '../../orchestrator/bench/floor.js';
import { dhtShape } from '../../orchestrator/bench/shapes.js';
import { parseTopology } from '../../orchestrator/topology/load.js';
import { labObjects, sh, testContext } from '../support/docker.js';

// What a large lab needs from this machine (2 cores, 24 GiB): 200 agents up, each small, the
// far ends of the lab reaching each other, and nothing left after destroy. How fast, beside plain
// `docker run`, is `npm run bench:scale`'s question (timings are never asserted in tests).
// The peers sit on 8 LANs behind one router, so n200 reaches n1 through it.
const LAB = 'it-scale';
const N = 200;
const MiB = 1024 * 1024;

afterAll(async () => {
  await api.destroy(LAB, testContext());
  expect(await labObjects(LAB)).toBe(0);
}, 300_000);

describe(`a lab of ${N} DHT peers`, () => {
  it('deploys with every agent ready, each holding at most 60 MiB idle, and its far ends talk', async () => {
    await api.destroy(LAB, testContext());
    const lab = await api.deploy(parseTopology(shapeTopology(LAB, dhtShape(N)), '<scale test>', {}), testContext({ readyTimeoutMs: 180_000 }));
    expect(lab.nodes).toHaveLength(N + 1); // and the router joining their LANs
    const [summary] = await api.inspect(LAB, testContext(), { stats: true });
    const memory = summary!.nodes.map((n) => n.memoryBytes ?? Infinity);
    expect(summary!.nodes.every((n) => n.state === 'running')).toBe(true);
    expect(Math.max(...memory) / MiB).toBeLessThanOrEqual(60);
    expect(await sh(LAB, `n${N}`, 'ping -c 1 -W 5 n1 >/dev/null && echo ok')).toBe('ok\n');
  }, 600_000);

  it('destroys to nothing: no container, no network', async () => {
    const report = await api.destroy(LAB, testContext());
    expect(report.containers).toBe(N + 1);
    expect(await labObjects(LAB)).toBe(0);
  }, 300_000);
});
