import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labObjects, readCsv, repo } from '../support/docker.js';

// The CLI as a user runs it: the compiled bin, its exit codes, its stdout and stderr.
const emunet = (...args: string[]) => execa('node', [path.join(repo, 'bin/emunet.js'), ...args], { reject: false, cwd: repo });
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'emunet-cli-'));
  await emunet('destroy', 'hello');
  await emunet('destroy', 'link-changes');
  await emunet('destroy', 'faults');
});
afterAll(async () => {
  await emunet('destroy', 'hello');
  await emunet('destroy', 'link-changes');
  await emunet('destroy', 'faults');
  await rm(out, { recursive: true, force: true });
});

describe('emunet CLI', () => {
  it('run: deploys hello, measures RTTs across the router, writes CSV + manifest, destroys', async () => {
    const r = await execa('node', [path.join(repo, 'bin/emunet.js'), 'run', 'topologies/hello.yaml', '--out', out], { reject: false, cwd: repo, env: { REPEAT: '2' } });
    expect(r.stderr).not.toMatch(/✘/);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/client\s+server\s+udp_rtt\s+40\s/);
    const csvPath = /measurements: (.*)/.exec(r.stdout)![1]!;
    const header = (await readFile(csvPath, 'utf8')).split('\n')[0];
    expect(header).toBe('lab,run_id,repetition,seed,step,phase,workload,node,peer,seq,metric,value,unit,detail,timestamp,impairment_backend');
    const rows = await readCsv(csvPath);
    const rtts = rows.filter((c) => c.metric === 'udp_rtt').map((c) => Number(c.value));
    expect(rtts).toHaveLength(40);
    // hello.yaml: 10 ms one-way on left, 5 ms on right -> 30 ms round trip through r1.
    const sorted = [...rtts].sort((a, b) => a - b);
    expect(sorted[20]!).toBeGreaterThan(30);
    expect(sorted[20]!).toBeLessThan(33); // four delayer holds and the agents' own time
    expect(new Set(rows.map((c) => c.repetition))).toEqual(new Set(['1', '2']));
    const manifest = JSON.parse(await readFile(path.join(path.dirname(csvPath), 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ lab: 'hello', seed: 42, repetitions: 2, status: 'complete', measurements: rows.length, impairment_backend: 'userspace' });
    expect(manifest.image.id).toMatch(/^sha256:/);
    expect(manifest.topology.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.docker.api_version).toMatch(/^1\.\d+$/);
    expect(await labObjects('hello')).toBe(0);
  });

  it('run: impairment steps at offsets change the links mid-workload, and events.csv times each change', async () => {
    const r = await emunet('run', 'topologies/link-changes.yaml', '--out', out);
    expect(r.exitCode).toBe(0);
    const dir = path.dirname(/measurements: (.*)/.exec(r.stdout)![1]!);
    const events = (await readCsv(path.join(dir, 'events.csv'))).filter((e) => e.event === 'impair');
    // delay, loss, reset: both members of right; down and up: the server only.
    expect(events).toHaveLength(8);
    const rows = await readCsv(path.join(dir, 'measurements.csv'));
    const rtt = rows.filter((c) => c.metric === 'udp_rtt');
    const delayRaisedAt = Date.parse(events[0]!.time!);
    const at = (c: Record<string, string>) => Date.parse(c.timestamp!);
    const before = rtt.filter((c) => at(c) < delayRaisedAt - 200).map((c) => Number(c.value));
    const after = rtt.filter((c) => at(c) > delayRaisedAt + 200 && at(c) < delayRaisedAt + 1800).map((c) => Number(c.value));
    // 5 ms one-way on both networks: 20 ms round trip; then 25 ms on right: 60 ms.
    // Medians: a single probe can be late (the VM is busy), but none can be early: delay is a floor.
    const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
    expect(median(before)).toBeLessThan(25);
    expect(Math.min(...before)).toBeGreaterThan(19.5);
    expect(Math.min(...after)).toBeGreaterThan(55);
    expect(median(after)).toBeLessThan(65);
    expect(rows.some((c) => c.metric === 'udp_lost')).toBe(true);
    expect(await labObjects('link-changes')).toBe(0);
  });

  it('run: faults (kill, restart, pause, resume) interrupt the probed node and are timed in events.csv', async () => {
    const r = await emunet('run', 'test/fixtures/valid/faults.yaml', '--out', out);
    expect(r.exitCode).toBe(0);
    const dir = path.dirname(/measurements: (.*)/.exec(r.stdout)![1]!);
    const faults = (await readCsv(path.join(dir, 'events.csv'))).filter((e) => ['kill', 'restart', 'pause', 'resume'].includes(e.event!));
    expect(faults.map((e) => e.event)).toEqual(['kill', 'restart', 'pause', 'resume']);
    const [killedAt, restartedAt] = faults.map((e) => Date.parse(e.time!));
    const rows = await readCsv(path.join(dir, 'measurements.csv'));
    const at = (c: Record<string, string>) => Date.parse(c.timestamp!);
    // Between the kill and the restart nothing answers; after the restart the node answers again.
    expect(rows.filter((c) => c.metric === 'udp_rtt' && at(c) > killedAt! + 150 && at(c) < restartedAt! - 150)).toEqual([]);
    expect(rows.filter((c) => c.metric === 'udp_lost').length).toBeGreaterThan(5);
    expect(rows.some((c) => c.metric === 'udp_rtt' && at(c) > restartedAt!)).toBe(true);
    expect(await labObjects('faults')).toBe(0);
  });

  it('deploy, inspect, exec and destroy', async () => {
    const deployed = await emunet('deploy', 'topologies/hello.yaml');
    expect(deployed.exitCode).toBe(0);
    expect(deployed.stdout).toMatch(/^r1\s+router\s+left, right\s+10\.\d+\.\d+\.\d+\/24, 10\.\d+\.\d+\.\d+\/24\s+0$/m);
    const inspected = JSON.parse((await emunet('inspect', 'hello', '--json', '--stats')).stdout);
    expect(inspected[0].nodes.map((n: { node: string }) => n.node)).toEqual(['client', 'r1', 'server']);
    // An idle agent's container: its memory is measured, and small (issue: <= 60 MB).
    for (const n of inspected[0].nodes as { memoryBytes: number }[]) {
      expect(n.memoryBytes).toBeGreaterThan(2 ** 20);
      expect(n.memoryBytes).toBeLessThan(60 * 2 ** 20);
    }
    const routes = await emunet('exec', 'hello', 'client', '--', 'ip', 'route');
    expect(routes.exitCode).toBe(0);
    const r1Left = inspected[0].nodes[1].addresses[0].replace(/^left=|\/24$/g, '');
    expect(routes.stdout).toContain(`via ${r1Left}`);
    const failing = await emunet('exec', 'hello', 'client', '--', 'sh', '-c', 'echo oops >&2; exit 3');
    expect([failing.exitCode, failing.stderr.trim()]).toEqual([3, 'oops']);
    const missing = await emunet('exec', 'hello', 'nobody', '--', 'true');
    expect(missing.stderr).toMatch(/lab "hello" has no node "nobody"; its nodes are \[client, r1, server\]/);
    const destroyed = await emunet('destroy', 'hello');
    expect(destroyed.stdout).toMatch(/destroyed hello: 3 containers, 2 networks, 2 firewall rules/);
    expect((await emunet('destroy', 'hello')).stdout).toMatch(/nothing to destroy/);
    expect(await labObjects('hello')).toBe(0);
  });

  it('validate: a bad topology gets file:line:col, the path, the fix, exit code 2 and no stack trace', async () => {
    const r = await emunet('validate', 'test/fixtures/invalid/unknown-network.yaml');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('test/fixtures/invalid/unknown-network.yaml:9:23 nodes.client.networks[1]: unknown network "lft"; expected one of [left, right]');
    expect(r.stderr).toContain('fix: did you mean "left"?');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('doctor: reports the engine and probes the kernel features link impairment needs', async () => {
    const r = await emunet('doctor', '--json');
    const checks = JSON.parse(r.stdout) as { name: string; ok: boolean }[];
    expect(checks.find((c) => c.name === 'Docker engine')?.ok).toBe(true);
    expect(checks.map((c) => c.name)).toEqual(expect.arrayContaining(['netem qdisc', 'tbf qdisc', 'ifb device', 'NFQUEUE target', 'agent image']));
    // This machine's kernel has tbf but not netem (ENVIRONMENT.md): the probe must tell them apart.
    expect(checks.find((c) => c.name === 'tbf qdisc')?.ok).toBe(true);
  });
});
