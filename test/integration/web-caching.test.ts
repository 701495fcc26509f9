import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labObjects, readCsv, repo } from '../support/docker.js';

// The Web's caching and loss experiments as a user runs them (the CLI, shipped topologies), their
// figures asserted against what the lecture predicts: web-caching (Zipf requests through a
// forward proxy whose size is swept) and http-hol (HTTP/2 vs HTTP/1.1 over m connections, loss).
const emunet = (...args: string[]) => execa('node', [path.join(repo, 'bin/emunet.js'), ...args], { reject: false, cwd: repo });
const dirOf = (stdout: string) => path.dirname(/measurements: (.*)/.exec(stdout)![1]!);
const LABS = ['web-caching', 'http-hol'];
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'emunet-web-'));
  for (const lab of LABS) await emunet('destroy', lab);
});
afterAll(async () => {
  for (const lab of LABS) await emunet('destroy', lab);
  await rm(out, { recursive: true, force: true });
  for (const lab of LABS) expect(await labObjects(lab)).toBe(0);
});

describe('web-caching: Zipf requests through a forward proxy of C objects', () => {
  it('hit ratio rises with C and with α, near Che\'s LRU model; latency falls as hits rise; a 304 costs a fraction of a 200', async () => {
    const r = await emunet('run', 'topologies/web-caching.yaml', '--out', out, '--filter', 'params.alpha=0.6,1.2', '--filter', 'params.cache=10,200');
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = await readCsv(path.join(dirOf(r.stdout), 'summary.csv'));
    const at = (alpha: string, cache: string, step: string, metric: string) => summary.find((s) => s['params.alpha'] === alpha && s['params.cache'] === cache && s.step === step && s.metric === metric)!;
    const points = [['0.6', '10'], ['0.6', '200'], ['1.2', '10'], ['1.2', '200']] as const;
    const hit = Object.fromEntries(points.map(([a, c]) => [`${a}/${c}`, Number(at(a, c, '3', 'hit_ratio').mean)]));
    expect(hit['0.6/200']).toBeGreaterThan(hit['0.6/10']! + 0.2);
    expect(hit['1.2/200']).toBeGreaterThan(hit['1.2/10']! + 0.2);
    expect(hit['1.2/10']).toBeGreaterThan(hit['0.6/10']! + 0.2);
    expect(hit['1.2/200']).toBeGreaterThan(hit['0.6/200']! + 0.2);
    // 1000 requests after a warm-up of 500: within 0.06 of lru_hit(α, n, C) (sampling alone gives ±0.03).
    for (const [a, c] of points) expect(Math.abs(hit[`${a}/${c}`]! - Number(at(a, c, '3', 'hit_ratio').expected)), `α ${a}, C ${c}`).toBeLessThan(0.06);
    // Latency falls as the hit ratio rises: hits stay on the campus, misses cross the wan. (The
    // model, h·LAN + (1−h)·Internet, is 26 ms at h = 0.03 and 6 ms at h = 0.82; a busy 2-core VM
    // adds its own time to every exchange, so the extremes are compared, with room to spare.)
    const time = (a: string, c: string) => Number(at(a, c, '3', 'request_time').mean);
    expect(time('0.6', '10')).toBeGreaterThan(1.8 * time('1.2', '200'));
    expect(time('0.6', '10')).toBeGreaterThan(time('0.6', '200'));
    expect(time('1.2', '10')).toBeGreaterThan(time('1.2', '200'));
    for (const [a, c] of points) {
      expect(Number(at(a, c, '3', 'hit_time').mean)).toBeLessThan(Number(at(a, c, '3', 'miss_time').mean) / 4);
      // Conditional GET: a 304 is the status line and a few fields; a 200 also carries the 2000-byte body.
      expect(Number(at(a, c, '5', 'responses_304').mean)).toBeGreaterThan(0);
      expect(Number(at(a, c, '5', 'bytes_per_304').mean)).toBeLessThan(Number(at(a, c, '5', 'bytes_per_200').mean) / 5);
    }
  }, 400_000);
});

describe('http-hol: HTTP/2 (one connection) vs HTTP/1.1 over m = 4 connections, under loss', () => {
  it('the link loses what it is set to; h2\'s streams all complete together (one hole holds them all), HTTP/1.1\'s lanes apart; loss slows both', async () => {
    const r = await emunet('run', 'topologies/http-hol.yaml', '--out', out, '--set', 'experiment.repeat=3', '--filter', 'networks.wan.loss=0%,5%');
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = await readCsv(path.join(dirOf(r.stdout), 'summary.csv'));
    const at = (loss: string, step: string, metric: string) => summary.find((s) => s['networks.wan.loss'] === loss && s.step === step && s.metric === metric)!;
    const p50 = (loss: string, step: string, metric: string) => Number(at(loss, step, metric).p50);
    // The userspace delayer applies the loss: 300 UDP echoes lose 1 − (1 − p)² of round trips (9.75 % at 5 %).
    expect(Number(at('0%', '3', 'udp_loss').mean)).toBeLessThan(1);
    expect(Number(at('5%', '3', 'udp_loss').mean)).toBeGreaterThan(5);
    expect(Number(at('5%', '3', 'udp_loss').mean)).toBeLessThan(16);
    for (const loss of ['0%', '5%']) {
      expect([Number(at(loss, '1', 'connections').mean), Number(at(loss, '2', 'connections').mean)]).toEqual([1, 4]);
      // h2: every object waits for the same bytes — the median object completes with the last.
      expect(p50(loss, '1', 'objects_spread'), `h2 at ${loss}`).toBeLessThan(10);
      expect(p50(loss, '1', 'objects_median') / p50(loss, '1', 'objects_load'), `h2 at ${loss}`).toBeGreaterThan(0.95);
      // HTTP/1.1 on 4 lanes: the median object is done long before the last.
      expect(p50(loss, '2', 'objects_spread'), `persistent-m at ${loss}`).toBeGreaterThan(100);
      expect(p50(loss, '2', 'objects_median') / p50(loss, '2', 'objects_load'), `persistent-m at ${loss}`).toBeLessThan(0.8);
    }
    for (const step of ['1', '2']) expect(Number(at('5%', step, 'page_load').mean), `step ${step}`).toBeGreaterThan(Number(at('0%', step, 'page_load').mean));
  }, 400_000);
});
