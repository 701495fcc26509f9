import { execa } from 'execa';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labObjects, readCsv, repo } from '../support/docker.js';

// The experiment engine end to end, through the CLI: a 3 x 3 sweep x 3 repetitions, its
// results directory, and the same seeded decisions when runs are re-run alone or resumed.
const emunet = (...args: string[]) => execa('node', [path.join(repo, 'bin/emunet.js'), ...args], { reject: false, cwd: repo });
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'emunet-experiment-'));
  await emunet('destroy', 'delay-loss-grid');
  await emunet('destroy', 'steps');
});
afterAll(async () => {
  await emunet('destroy', 'delay-loss-grid');
  await emunet('destroy', 'steps');
  await rm(out, { recursive: true, force: true });
});

const dirOf = (stdout: string) => path.dirname(/measurements: (.*)/.exec(stdout)![1]!);
/** Which probes were lost, run by run: "point/repetition/seq". */
const lostProbes = (rows: Record<string, string>[]) =>
  rows.filter((r) => r.metric === 'udp_lost').map((r) => `${r['networks.wan.delay']}/${r['networks.wan.loss']}/${r.repetition}/${r.seq}`).sort();

describe('experiment engine', () => {
  let grid: string;

  it('runs a 3 x 3 sweep x 3 repetitions and writes every result file', async () => {
    const r = await emunet('run', 'topologies/delay-loss-grid.yaml', '--out', out, '--set', 'params.probes=12');
    expect(r.stderr).not.toMatch(/✘/);
    expect(r.exitCode).toBe(0);
    grid = dirOf(r.stdout);
    expect((await readdir(grid)).sort()).toEqual(expect.arrayContaining(['events.csv', 'logs', 'manifest.json', 'measurements.csv', 'report.html', 'runs.csv', 'summary.csv']));
    const runs = await readCsv(path.join(grid, 'runs.csv'));
    expect(runs).toHaveLength(27);
    expect(runs.every((run) => run.status === 'complete')).toBe(true);
    const manifest = JSON.parse(await readFile(path.join(grid, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ status: 'complete', runs: { planned: 27, complete: 27, failed: 0 }, labs_deployed: 1 });
    const summary = (await readCsv(path.join(grid, 'summary.csv'))).filter((s) => s.metric === 'udp_rtt');
    expect(summary).toHaveLength(9);
    // The model beside the measurement: RTT = 2 x delay, measured at most a few ms above it.
    for (const s of summary) {
      expect(Number(s.expected)).toBe(2 * Number.parseInt(s['networks.wan.delay']!, 10));
      expect(Number(s.p50)).toBeGreaterThan(Number(s.expected));
      expect(Number(s.p50)).toBeLessThan(Number(s.expected) + 3);
    }
    const events = await readCsv(path.join(grid, 'events.csv'));
    expect(events.filter((e) => e.event === 'run-end')).toHaveLength(27);
    expect(events.filter((e) => e.event === 'step-start')).toHaveLength(27);
    expect(await labObjects('delay-loss-grid')).toBe(0);
  });

  it('re-running some runs alone (--filter) loses exactly the same probes', async () => {
    const first = lostProbes(await readCsv(path.join(grid, 'measurements.csv'))).filter((k) => k.includes('/5%/'));
    const r = await emunet('run', 'topologies/delay-loss-grid.yaml', '--out', out, '--set', 'params.probes=12', '--filter', 'networks.wan.loss=5%');
    expect(r.exitCode).toBe(0);
    const again = await readCsv(path.join(dirOf(r.stdout), 'measurements.csv'));
    expect(new Set(again.map((row) => row['networks.wan.loss']))).toEqual(new Set(['5%']));
    // 9 runs x 12 probes at 5% each way: a lost probe is all but certain, and each must repeat.
    expect(first.length).toBeGreaterThan(0);
    expect(lostProbes(again)).toEqual(first);
  });

  it('--resume finishes an interrupted run without redoing its completed runs', async () => {
    const cut = path.join(out, 'interrupted');
    await cp(grid, cut, { recursive: true });
    // As if stopped during run 21: runs.csv lists 20 runs, and run 21's rows are half written.
    const ledger = (await readFile(path.join(cut, 'runs.csv'), 'utf8')).trim().split('\n');
    await writeFile(path.join(cut, 'runs.csv'), ledger.slice(0, 21).join('\n') + '\n');
    const r = await emunet('run', 'topologies/delay-loss-grid.yaml', '--set', 'params.probes=12', '--resume', cut);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/resuming .*: 20 runs done, 7 to go/);
    const runs = await readCsv(path.join(cut, 'runs.csv'));
    expect(runs.map((x) => `${x.point}/${x.repetition}`)).toEqual((await readCsv(path.join(grid, 'runs.csv'))).map((x) => `${x.point}/${x.repetition}`));
    const rows = await readCsv(path.join(cut, 'measurements.csv'));
    // Each run's rows once: 12 probes each (rtt or lost) + its loss figure.
    expect(rows.filter((row) => row.metric !== 'udp_loss')).toHaveLength(27 * 12);
    expect(lostProbes(rows)).toEqual(lostProbes(await readCsv(path.join(grid, 'measurements.csv'))));
    const refused = await emunet('run', 'topologies/delay-loss-grid.yaml', '--set', 'params.probes=13', '--resume', cut);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/written by a different topology/);
  });

  it('Ctrl-C stops the run, destroys the lab, and leaves every finished run readable and resumable', async () => {
    const child = execa('node', [path.join(repo, 'bin/emunet.js'), 'run', 'topologies/delay-loss-grid.yaml', '--out', path.join(out, 'ctrl-c'), '--set', 'params.probes=12'], { reject: false, cwd: repo });
    // Interrupt once a few runs have finished.
    let dir = '';
    for (let i = 0; i < 1800 && !dir; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const labs = await readdir(path.join(out, 'ctrl-c', 'delay-loss-grid')).catch(() => []);
      const candidate = labs[0] ? path.join(out, 'ctrl-c', 'delay-loss-grid', labs[0]) : '';
      if (candidate && (await readCsv(path.join(candidate, 'runs.csv')).catch(() => [])).length >= 3) dir = candidate;
    }
    child.kill('SIGINT');
    expect(dir).not.toBe('');
    const r = await child;
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/SIGINT: stopping and cleaning up/);
    expect(await labObjects('delay-loss-grid')).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ status: 'failed', error: expect.stringMatching(/interrupted by SIGINT/) });
    const done = (await readCsv(path.join(dir, 'runs.csv'))).length;
    expect(done).toBeGreaterThanOrEqual(3);
    expect(done).toBeLessThan(27);
    expect((await readCsv(path.join(dir, 'measurements.csv'))).length).toBeGreaterThan(0);
    const resumed = await emunet('run', 'topologies/delay-loss-grid.yaml', '--set', 'params.probes=12', '--resume', dir);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stderr).toContain(`${done} runs done, ${27 - done} to go`);
    expect(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))).toMatchObject({ status: 'complete', runs: { planned: 27, complete: 27 } });
  });

  it('schedules warmup, background, parallel and wait steps on a fresh lab per run, with pcaps of the whole run', async () => {
    const r = await emunet('run', 'test/fixtures/valid/steps.yaml', '--out', out);
    expect(r.stderr).not.toMatch(/✘/);
    expect(r.exitCode).toBe(0);
    const dir = dirOf(r.stdout);
    const events = (await readCsv(path.join(dir, 'events.csv'))).filter((e) => e.repetition === '1');
    const time = (step: string, event: string) => Date.parse(events.find((e) => e.step === step && e.event === event)!.time!);
    // warmup first; the background step (1) and the parallel group (2.1, 2.2) start together;
    // step 4 waits for the background step to end.
    expect(time('w1', 'step-end')).toBeLessThanOrEqual(time('1', 'step-start'));
    expect(Math.abs(time('2.1', 'step-start') - time('1', 'step-start'))).toBeLessThan(300);
    expect(Math.abs(time('2.2', 'step-start') - time('2.1', 'step-start'))).toBeLessThan(100);
    expect(time('2.1', 'step-end')).toBeLessThan(time('1', 'step-end'));
    expect(time('4', 'step-start')).toBeGreaterThanOrEqual(time('1', 'step-end'));
    const rows = await readCsv(path.join(dir, 'measurements.csv'));
    expect(new Set(rows.filter((x) => x.phase === 'warmup').map((x) => x.step))).toEqual(new Set(['w1']));
    const summary = await readCsv(path.join(dir, 'summary.csv'));
    // Warmup records are kept in the CSV but left out of the summary: a->b has 2 x 5 probes, not 2 x 8.
    expect(summary.find((s) => s.node === 'a' && s.peer === 'b' && s.metric === 'udp_rtt')?.n).toBe('10');
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ reuse_lab: false, labs_deployed: 2, status: 'complete' });
    for (const lab of ['lab-1', 'lab-2']) {
      const pcap = await readFile(path.join(dir, 'pcap', lab, 'b-wan.pcap'));
      const udpToEcho = pcapUdpPorts(pcap).filter((port) => port === 7).length;
      // b answers a and c (5 + 40 + warmup 3 + a's first unrecorded probes) and probes a itself.
      expect(udpToEcho).toBeGreaterThan(45);
      expect((await readFile(path.join(dir, 'pcap', lab, 'c-any.pcap'))).length).toBeGreaterThan(24);
    }
    expect(await labObjects('steps')).toBe(0);
  });
});

/** UDP destination ports of every IPv4 packet in a classic pcap file with Ethernet framing. */
function pcapUdpPorts(pcap: Buffer): number[] {
  expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
  expect(pcap.readUInt32LE(20)).toBe(1); // LINKTYPE_ETHERNET
  const ports: number[] = [];
  for (let at = 24; at + 16 <= pcap.length; ) {
    const captured = pcap.readUInt32LE(at + 8);
    const frame = pcap.subarray(at + 16, at + 16 + captured);
    if (frame.length >= 38 && frame.readUInt16BE(12) === 0x0800 && frame[23] === 17) {
      const ihl = (frame[14]! & 0x0f) * 4;
      ports.push(frame.readUInt16BE(14 + ihl + 2));
    }
    at += 16 + captured;
  }
  return ports;
}
