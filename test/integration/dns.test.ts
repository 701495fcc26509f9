import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../orchestrator/api.js';
import type { Lab } from '../../orchestrator/deploy/lab.js';
import { dnsHierarchyAssertions } from '../support/dns-assertions.js';
import { labObjects, readCsv, repo, testContext, topologyAs } from '../support/docker.js';

// DNS over the real wire protocol, checked with dig (BIND's client) inside the lab, and the
// shipped DNS experiments run through the CLI with their figures asserted.
const LAB = 'dnsit';
let lab: Lab;
let out: string;
const emunet = (...args: string[]) => execa('node', [path.join(repo, 'bin/emunet.js'), ...args], { reject: false, cwd: repo });

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'emunet-dns-'));
  await api.destroy(LAB, testContext());
  lab = await api.deploy(await topologyAs('topologies/dns-hierarchy.yaml', LAB), testContext());
}, 180_000);
afterAll(async () => {
  await api.destroy(LAB, testContext());
  for (const name of ['dns-negative', 'dns-replication', 'dns-ttl']) await emunet('destroy', name);
  await rm(out, { recursive: true, force: true });
  expect(await labObjects(LAB)).toBe(0);
});

dnsHierarchyAssertions(LAB, () => lab, () => testContext());

describe('shipped DNS experiments', () => {
  it('dns-negative: a negative cache answers repeated misspelled names with no upstream query', async () => {
    const r = await emunet('run', 'topologies/dns-negative.yaml', '--out', out, '--set', 'experiment.repeat=1');
    expect(r.exitCode).toBe(0);
    const summary = (await readCsv(path.join(path.dirname(/measurements: (.*)/.exec(r.stdout)![1]!), 'summary.csv'))).filter((s) => s.metric === 'dns_queries');
    // Steps 3-6: bbcc.co.uk with and without, www.bbc.com.uk with and without.
    expect(summary.map((s) => [s.step, Number(s.mean), Number(s.expected)])).toEqual([['3', 0.4, 0.4], ['4', 1.2, 1.2], ['5', 0.2, 0.2], ['6', 1, 1]]);
  });

  it('dns-replication: lookups survive the primary\'s death, one of them paying the timeout and backoff', async () => {
    const r = await emunet('run', 'topologies/dns-replication.yaml', '--out', out);
    expect(r.exitCode).toBe(0);
    const rows = (await readCsv(path.join(path.dirname(/measurements: (.*)/.exec(r.stdout)![1]!), 'measurements.csv'))).filter((m) => m.metric === 'dns_latency');
    expect(rows).toHaveLength(12);
    expect(rows.every((m) => m.detail!.startsWith('rcode=NOERROR'))).toBe(true);
    const slow = rows.filter((m) => Number(m.value) > 800);
    // 300 ms, then 600 ms on the dead primary, then the secondary: one lookup, ~930 ms.
    expect(slow).toHaveLength(1);
    expect(Number(slow[0]!.value)).toBeLessThan(1200);
    expect(slow[0]!.detail).toMatch(/servers=ns1\.stanford\.edu,ns1\.stanford\.edu,ns2\.stanford\.edu/);
  });

  it('dns-ttl: the hit ratio follows 1 - ceil(N / ceil(TTL / interval)) / N', async () => {
    const r = await emunet('run', 'topologies/dns-ttl.yaml', '--out', out, '--set', 'experiment.repeat=1', '--filter', 'params.interval=100,1000');
    expect(r.exitCode).toBe(0);
    const hits = (await readCsv(path.join(path.dirname(/measurements: (.*)/.exec(r.stdout)![1]!), 'summary.csv'))).filter((s) => s.metric === 'dns_cache_hit');
    expect(hits.map((s) => [s['params.interval'], Number(s.mean).toFixed(3), Number(s.expected).toFixed(3)])).toEqual([['100', '0.917', '0.917'], ['1000', '0.500', '0.500']]);
  });
});
