import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../orchestrator/api.js';
import { labObjects, readCsv, repo, testContext, topologyAs } from '../support/docker.js';

// SIP end to end on real containers: our proxy and user agents against SIPp (RFC 3261's
// reference test tool), and the shipped two-domain topology, whose call setup time must follow
// the configured delays.
const LAB = 'sip-it-interop';
const SHIPPED = 'sip-call';
const ctx = testContext();
const emunet = (...args: string[]) => execa('node', [path.join(repo, 'bin/emunet.js'), ...args], { reject: false, cwd: repo });
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'emunet-sip-'));
  await api.destroy(LAB, ctx);
  await api.destroy(SHIPPED, ctx);
  await api.deploy(await topologyAs('test/fixtures/valid/sip-interop.yaml', LAB), ctx);
});
afterAll(async () => {
  await api.destroy(LAB, ctx);
  await api.destroy(SHIPPED, ctx);
  await rm(out, { recursive: true, force: true });
  expect(await labObjects(LAB)).toBe(0);
});

/** SIPp in the `sipp` node, on its lab address; its screen is printed once at the end (no terminal). */
const sipp = (args: string) =>
  api.exec(LAB, 'sipp', ['sh', '-c', `cd /tmp && IP=$(getent hosts sipp | cut -d' ' -f1) && exec sipp -i $IP -mi $IP -nostdin -timeout 30 -timeout_error -rtp_echo -m 1 ${args}`], ctx);
const successfulCalls = (screen: string) => Number(/Successful call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(screen)?.[1]);

const records = (stdout: string) =>
  stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; metric: string; value: number; detail?: string });

describe('SIP against SIPp', () => {
  it('SIPp as UAC completes its uac scenario through our proxy to our UA (100, 180, 200, ACK, BYE)', async () => {
    const r = await sipp('-sn uac -s bob -p 5070 -d 500 -trace_msg proxy:5060');
    expect(r.exitCode, r.stdout.slice(-2000) + r.stderr).toBe(0);
    expect(successfulCalls(r.stdout)).toBe(1);
    const trace = (await api.exec(LAB, 'sipp', ['sh', '-c', 'cat /tmp/uac_*_messages.log'], ctx)).stdout;
    // Our proxy answered 100 Trying itself and Record-Routed; bob rang, then answered with SDP.
    expect(trace).toMatch(/SIP\/2\.0 100 Trying/);
    expect(trace).toMatch(/SIP\/2\.0 180 Ringing[\s\S]*Record-Route: <sip:[0-9.]+:5060;lr>/);
    expect(trace).toMatch(/SIP\/2\.0 200 OK[\s\S]*m=audio \d+ RTP\/AVP 0/);
  });

  it('our UA places a call that SIPp as UAS answers, and tears it down with BYE', async () => {
    const server = sipp('-sn uas -p 5060');
    await new Promise((resolve) => setTimeout(resolve, 1000)); // SIPp binds its port
    const call = await api.exec(LAB, 'alice', ['node', '/opt/emunet/agent.mjs', 'workload', 'sip-call', JSON.stringify({ to: 'sip:service@sipp', register: false, warmup: false, duration: 1000 })], ctx);
    const uas = await server;
    expect(call.exitCode, call.stderr).toBe(0);
    expect(uas.exitCode, uas.stdout.slice(-2000)).toBe(0);
    expect(successfulCalls(uas.stdout)).toBe(1);
    const rows = records(call.stdout);
    const value = (metric: string) => rows.find((x) => x.metric === metric);
    expect(value('sip_setup_time')?.detail).toBe('status=200');
    expect(value('sip_post_dial_delay')!.value).toBeGreaterThan(10); // one round trip of 2 x 5 ms
    expect(value('sip_teardown_time')?.detail).toBe('status=200');
    // SIPp echoes our RTP (-rtp_echo): every packet came back.
    expect(value('rtp_loss')?.value).toBe(0);
  });
});

describe('the shipped sip-call topology', () => {
  it('runs its sweep, and the setup time follows the configured delays (one round trip of the path + ringing)', async () => {
    const r = await emunet('run', 'topologies/sip-call.yaml', '--out', out, '--set', 'experiment.repeat=1', '--set', 'params.calls=3', '--set', 'params.duration=1000');
    expect(r.stderr).not.toMatch(/✘/);
    expect(r.exitCode, r.stderr).toBe(0);
    const dir = path.dirname(/measurements: (.*)/.exec(r.stdout)![1]!);
    const summary = await readCsv(path.join(dir, 'summary.csv'));
    const row = (metric: string, delay: string, loss: string) => summary.find((s) => s.metric === metric && s.node === 'alice' && s.peer === 'sip:bob@biloxi.lab' && s['networks.wan.delay'] === delay && s['networks.wan.loss'] === loss)!;
    for (const delay of ['10ms', '40ms']) {
      const setup = row('sip_setup_time', delay, '0%');
      // 4 x 2 + 2 x wan + 4 x 2 ms + 300 ms ringing; the rest is the agents' and the delayer's own time.
      expect(Number(setup.expected)).toBe(16 + 2 * Number.parseInt(delay, 10) + 300);
      expect(Number(setup.p50)).toBeGreaterThan(Number(setup.expected) - 2);
      // Ten packet holds and five Node.js processes woken on the way: ~1 ms each on an idle 2-core VM.
      expect(Number(setup.p50)).toBeLessThan(Number(setup.expected) + 25);
      const pdd = row('sip_post_dial_delay', delay, '0%');
      expect(Number(pdd.p50)).toBeLessThan(Number(pdd.expected) + 25);
      const media = row('rtp_delay', delay, '0%');
      expect(Number(media.p50)).toBeGreaterThan(Number(media.expected) - 1);
      expect(Number(media.p50)).toBeLessThan(Number(media.expected) + 3);
    }
    // 30 ms more one-way on the wan adds 60 ms to every call setup (INVITE out, 200 back).
    const rise = Number(row('sip_setup_time', '40ms', '0%').p50) - Number(row('sip_setup_time', '10ms', '0%').p50);
    expect(rise).toBeGreaterThan(45);
    expect(rise).toBeLessThan(75);
    // 5 % loss on the wan: 3 calls x ~50 packets each lose a few; none (in the median call) without.
    expect(Number(row('rtp_loss', '10ms', '5%').mean)).toBeGreaterThan(0);
    expect(Number(row('rtp_loss', '10ms', '0%').p50)).toBe(0);
    const rows = await readCsv(path.join(dir, 'measurements.csv'));
    const failed = rows.filter((x) => x.metric === 'sip_setup_failed').map((x) => `${x.peer} ${x.detail}`);
    expect(new Set(failed)).toEqual(new Set(['sip:carol@biloxi.lab status=480 reason=Temporarily_Unavailable', 'sip:nobody@biloxi.lab status=404 reason=Not_Found']));
    expect(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))).toMatchObject({ status: 'complete' });
    expect(await labObjects(SHIPPED)).toBe(0);
  });
});
