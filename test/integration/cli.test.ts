import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labObjects, repo } from '../support/docker.js';

// The CLI as a user runs it: the compiled bin, its exit codes, its stdout and stderr.
const emunet = (...args: string[]) => execa('node', [path.join(repo, 'bin/emunet.js'), ...args], { reject: false, cwd: repo });
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'emunet-cli-'));
  await emunet('destroy', 'hello');
  await emunet('destroy', 'link-changes');
  await emunet('destroy', 'delay-sweep');
  await emunet('destroy', 'faults');
});
afterAll(async () => {
  await emunet('destroy', 'hello');
  await emunet('destroy', 'link-changes');
  await emunet('destroy', 'delay-sweep');
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
    const [header, ...rows] = (await readFile(csvPath, 'utf8')).trim().split('\n');
    expect(header).toBe('lab,run_id,repetition,seed,step,workload,node,peer,metric,value,unit,timestamp,impairment_backend');
    const rtts = rows.filter((l) => l.includes(',udp_rtt,')).map((l) => Number(l.split(',')[9]));
    expect(rtts).toHaveLength(40);
    // hello.yaml: 10 ms one-way on left, 5 ms on right -> 30 ms round trip through r1.
    const sorted = [...rtts].sort((a, b) => a - b);
    expect(sorted[20]!).toBeGreaterThan(30);
    expect(sorted[20]!).toBeLessThan(33); // four delayer holds and the agents' own time
    expect(new Set(rows.map((l) => l.split(',')[2]))).toEqual(new Set(['1', '2']));
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
    const events = (await readFile(path.join(dir, 'events.csv'), 'utf8')).trim().split('\n').slice(1);
    // delay, loss, reset: both members of right; down and up: the server only.
    expect(events).toHaveLength(8);
    const rows = (await readFile(path.join(dir, 'measurements.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    const rtt = rows.filter((c) => c[8] === 'udp_rtt');
    const delayRaisedAt = Date.parse(events[0]!.split(',')[4]!);
    const before = rtt.filter((c) => Date.parse(c[11]!) < delayRaisedAt - 200).map((c) => Number(c[9]));
    const after = rtt.filter((c) => Date.parse(c[11]!) > delayRaisedAt + 200 && Date.parse(c[11]!) < delayRaisedAt + 1800).map((c) => Number(c[9]));
    // 5 ms one-way on both networks: 20 ms round trip; then 25 ms on right: 60 ms.
    // Medians: a single probe can be late (the VM is busy), but none can be early: delay is a floor.
    const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
    expect(median(before)).toBeLessThan(25);
    expect(Math.min(...before)).toBeGreaterThan(19.5);
    expect(Math.min(...after)).toBeGreaterThan(55);
    expect(median(after)).toBeLessThan(65);
    expect(rows.some((c) => c[8] === 'udp_lost')).toBe(true);
    expect(await labObjects('link-changes')).toBe(0);
  });

  it('run: a sweep of the one-way delay gives one summary row per point, RTT following 2 x delay', async () => {
    const dry = await emunet('run', 'topologies/delay-sweep.yaml', '--dry-run', '--json');
    const planned = JSON.parse(dry.stdout) as { point: number; seed: number }[];
    expect(planned).toHaveLength(9);
    const r = await emunet('run', 'topologies/delay-sweep.yaml', '--out', out);
    expect(r.exitCode).toBe(0);
    const dir = path.dirname(/measurements: (.*)/.exec(r.stdout)![1]!);
    const [header, ...rows] = (await readFile(path.join(dir, 'summary.csv'), 'utf8')).trim().split('\n');
    expect(header).toBe('networks.wan.delay,node,peer,metric,unit,n,mean,stddev,ci95,min,p5,p50,p95,max,expected,ratio');
    // The formula beside the measurement: expected 2 x delay, measured within a few percent above it.
    const ratios = rows.filter((l) => l.includes(',udp_rtt,')).map((l) => l.split(',')).map((c) => [Number(c[14]), Number(c[15])]);
    expect(ratios.map(([e]) => e)).toEqual([10, 40, 100]);
    for (const [, ratio] of ratios) expect(ratio).toBeGreaterThan(1);
    for (const [, ratio] of ratios) expect(ratio).toBeLessThan(1.25);
    const p50 = Object.fromEntries(rows.filter((l) => l.includes(',udp_rtt,')).map((l) => l.split(',')).map((c) => [c[0], Number(c[11])]));
    for (const [delay, expected] of [['5ms', 10], ['20ms', 40], ['50ms', 100]] as const) {
      expect(p50[delay]).toBeGreaterThan(expected);
      expect(p50[delay]).toBeLessThan(expected + 3);
    }
    // Every run's seed is the planned one: the same topology and seed reproduce every decision.
    const seeds = new Set((await readFile(path.join(dir, 'measurements.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => Number(l.split(',')[3])));
    expect([...seeds].sort()).toEqual(planned.map((p) => p.seed).sort());
  });

  it('run: faults (kill, restart, pause, resume) interrupt the probed node and are timed in events.csv', async () => {
    const r = await emunet('run', 'test/fixtures/valid/faults.yaml', '--out', out);
    expect(r.exitCode).toBe(0);
    const dir = path.dirname(/measurements: (.*)/.exec(r.stdout)![1]!);
    const events = (await readFile(path.join(dir, 'events.csv'), 'utf8')).trim().split('\n').slice(1);
    expect(events.map((l) => /fault"":""(\w+)/.exec(l)?.[1])).toEqual(['kill', 'restart', 'pause', 'resume']);
    const [killedAt, restartedAt] = events.map((l) => Date.parse(l.split(',')[4]!));
    const rows = (await readFile(path.join(dir, 'measurements.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    const at = (c: string[]) => Date.parse(c[11]!);
    // Between the kill and the restart nothing answers; after the restart the node answers again.
    expect(rows.filter((c) => c[8] === 'udp_rtt' && at(c) > killedAt! + 150 && at(c) < restartedAt! - 150)).toEqual([]);
    expect(rows.filter((c) => c[8] === 'udp_lost').length).toBeGreaterThan(5);
    expect(rows.some((c) => c[8] === 'udp_rtt' && at(c) > restartedAt!)).toBe(true);
    expect(await labObjects('faults')).toBe(0);
  });

  it('deploy, inspect, exec and destroy', async () => {
    const deployed = await emunet('deploy', 'topologies/hello.yaml');
    expect(deployed.exitCode).toBe(0);
    expect(deployed.stdout).toMatch(/^r1\s+router\s+left, right\s+10\.\d+\.\d+\.\d+\/24, 10\.\d+\.\d+\.\d+\/24\s+0$/m);
    const inspected = JSON.parse((await emunet('inspect', 'hello', '--json')).stdout);
    expect(inspected[0].nodes.map((n: { node: string }) => n.node)).toEqual(['client', 'r1', 'server']);
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
