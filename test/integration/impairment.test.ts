import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../orchestrator/api.js';
import { parseTopology } from '../../orchestrator/topology/load.js';
import { labObjects, sh, testContext } from '../support/docker.js';

// What the network does, measured, against what the topology configures. On this machine the
// kernel has no sch_netem, so `auto` picks the userspace backend (NFQUEUE delayer + tbf/ifb).
const ctx = testContext();
const LAB = 'it-imp';
const LOSS_LAB = 'it-imp-loss';

const topology = (name: string, body: string) => parseTopology(`name: ${name}\n${body}`, `<${name}>`, {});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Median ICMP RTT (the kernel answers, so no agent time is included). */
async function pingMedian(from: string, to: string, count = 30): Promise<number> {
  const out = await sh(LAB, from, `ping -n -c ${count} -i 0.05 ${to}`);
  return median([...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1])));
}

async function goodput(from: string, to: string, direction: 'upload' | 'download'): Promise<number> {
  const out = await sh(LAB, from, `node /opt/emunet/agent.mjs workload bulk '${JSON.stringify({ target: to, direction, seconds: 3, skip: 1 })}'`);
  return JSON.parse(out.trim().split('\n').pop()!).value as number;
}

beforeAll(async () => {
  await api.destroy(LAB, ctx);
  await api.destroy(LOSS_LAB, ctx);
  await api.deploy(
    topology(LAB, `
networks:
  wan: {}
nodes:
  a: { role: host, networks: [wan] }
  b: { role: host, networks: [wan] }
  c:
    role: host
    networks:
      wan: { upload: 1mbit, download: 4mbit }
`),
    ctx,
  );
});
afterAll(async () => {
  await api.destroy(LAB, ctx);
  await api.destroy(LOSS_LAB, ctx);
  expect(await labObjects(LAB)).toBe(0);
});

describe('link impairment (userspace backend)', () => {
  it.each([5, 20, 100])('one-way delay %i ms raises the RTT between two members by 2 x delay', async (delay) => {
    await api.impair(LAB, { network: 'wan' }, { reset: true }, ctx);
    const baseline = await pingMedian('a', 'b');
    const events = await api.impair(LAB, { network: 'wan' }, { set: { delayUs: delay * 1000 } }, ctx);
    expect(events.map((e) => e.node).sort()).toEqual(['a', 'b', 'c']);
    const added = (await pingMedian('a', 'b')) - baseline;
    expect(Math.abs(added - 2 * delay)).toBeLessThanOrEqual(Math.max(0.5, 0.03 * 2 * delay));
  });

  it('a member\'s own delay applies to what it sends: RTT a<->c = delay(a) + delay(c)', async () => {
    await api.impair(LAB, { network: 'wan' }, { set: { delayUs: 10_000 } }, ctx);
    await api.impair(LAB, { network: 'wan', node: 'c' }, { set: { delayUs: 30_000 } }, ctx);
    // Which delays add up is the point here (accuracy is the test above): a millisecond of slack.
    expect(Math.abs((await pingMedian('a', 'c', 10)) - 40)).toBeLessThanOrEqual(1);
    expect(Math.abs((await pingMedian('a', 'b', 10)) - 20)).toBeLessThanOrEqual(1);
  });

  it.each([1, 10, 50])('rate %i Mbit/s gives TCP goodput within 10%', async (mbit) => {
    await api.impair(LAB, { network: 'wan' }, { reset: true }, ctx);
    await api.impair(LAB, { network: 'wan' }, { set: { rateBps: mbit * 1e6 } }, ctx);
    const measured = await goodput('a', 'b', 'upload');
    expect(Math.abs(measured - mbit) / mbit).toBeLessThanOrEqual(0.1);
  });

  it("honours an asymmetric member's upload and download separately", async () => {
    await api.impair(LAB, { network: 'wan' }, { reset: true }, ctx);
    const up = await goodput('c', 'a', 'upload');
    const down = await goodput('c', 'a', 'download');
    expect(Math.abs(up - 1) / 1).toBeLessThanOrEqual(0.1);
    expect(Math.abs(down - 4) / 4).toBeLessThanOrEqual(0.1);
  });

  it('calibrates: measured RTT and goodput per network, against the configured values', async () => {
    await api.impair(LAB, { network: 'wan' }, { reset: true }, ctx);
    await api.impair(LAB, { network: 'wan' }, { set: { delayUs: 15_000, rateBps: 20e6 } }, ctx);
    const [row] = await api.calibrate(LAB, ctx, { probes: 50, seconds: 2 });
    expect(row).toMatchObject({ network: 'wan', from: 'a', to: 'b', configured_rtt_ms: 30, configured_mbit: 20 });
    expect(Math.abs(row!.rtt_error_ms)).toBeLessThan(1);
    expect(Math.abs(row!.goodput_error_pct as number)).toBeLessThan(10);
  });

  it('link down stops traffic and up restores it', async () => {
    await api.impair(LAB, { network: 'wan', node: 'c' }, { set: { down: true } }, ctx);
    const down = await api.exec(LAB, 'a', ['ping', '-c', '3', '-i', '0.2', '-W', '1', 'c'], ctx);
    expect(down.stdout).toMatch(/3 packets transmitted, 0 received/);
    expect(await sh(LAB, 'a', 'ping -c 3 -i 0.2 -W 1 b')).toMatch(/3 received/);
    await api.impair(LAB, { network: 'wan', node: 'c' }, { set: { down: false } }, ctx);
    expect(await sh(LAB, 'a', 'ping -c 3 -i 0.2 -W 1 c')).toMatch(/3 received/);
  });
});

describe('loss', () => {
  const lossLab = topology(LOSS_LAB, `
networks:
  wan: {}
nodes:
  a: { role: host, networks: [wan] }
  b:
    role: host
    networks:
      wan: { loss: 10% }
experiment: { seed: 7 }
`);

  /** 2,000 UDP probes from a; only b's replies cross a lossy direction. Returns the lost sequence numbers. */
  async function lostProbes(): Promise<number[]> {
    await api.deploy(lossLab, ctx);
    try {
      const r = await api.exec(LOSS_LAB, 'a', ['node', '/opt/emunet/agent.mjs', 'workload', 'probe', JSON.stringify({ target: 'b', count: 2000, interval: 0, timeout: 30, tcp: false })], ctx);
      const received = new Set(r.stdout.split('\n').filter((l) => l.includes('"udp_rtt"')).map((l) => JSON.parse(l).seq as number));
      return Array.from({ length: 2000 }, (_, i) => i + 1).filter((seq) => !received.has(seq));
    } finally {
      await api.destroy(LOSS_LAB, ctx);
    }
  }

  it('drops 10% within binomial bounds, and exactly the same packets again with the same seed', async () => {
    const first = await lostProbes();
    // n = 2000, p = 0.1: mean 200, sigma 13.4; 4 sigma either side.
    expect(first.length).toBeGreaterThanOrEqual(146);
    expect(first.length).toBeLessThanOrEqual(254);
    expect(await lostProbes()).toEqual(first);
  });
});
