// Rings formed the way dht-setup forms them (reset, create, joins through random members, poll
// until stable), on the in-memory lab: 64 peers, lookups from random members, churn with
// replication, a restarted peer rejoining by itself.
import { describe, expect, it } from 'vitest';
import { formRing, waitStable, walkRing } from '../../../images/agent/src/dht/form.js';
import type { LookupResult } from '../../../images/agent/src/dht/messages.js';
import { keyList, lookupOrder, valueFor } from '../../../images/agent/src/dht/plan.js';
import { mulberry32, pick } from '../../../images/agent/src/common/random.js';
import { MemoryLab } from './memory-lab.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);

async function formed(n: number, total: number, params: Record<string, unknown>) {
  const lab = new MemoryLab(params);
  const all = names(total);
  for (const name of all) lab.add(name, { bootstrap: ['n1', 'n2', 'n3'] });
  const d = lab.driver(mulberry32(1));
  const { formMs } = await formRing(d, all.slice(0, n).map((x) => lab.peer(x)), all.slice(n).map((x) => lab.peer(x)), params);
  const stable = await waitStable(d, all.map((x) => lab.peer(x)), { expected: n, limitMs: 120_000 });
  return { lab, d, formMs, stable };
}

async function lookups(lab: MemoryLab, keys: string[], count: number | undefined, seed: number): Promise<LookupResult[]> {
  const random = mulberry32(seed);
  const members = lab.members().map((m) => m.name);
  const out: LookupResult[] = [];
  for (const key of lookupOrder(keys, count, random)) {
    out.push((await lab.services.get(pick(members, random))!.handle({ op: 'lookup', key })) as LookupResult);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('a ring formed by dht-setup (in memory)', () => {
  it.each([
    ['shortcuts', 64, Math.log2(64) / 2],
    ['ring', 64, 32],
    ['shortcuts', 16, 2],
  ] as const)('%s, N = %i: stable, and mean hops within 15%% of the model (%d)', async (mode, n, model) => {
    const { lab, stable } = await formed(n, 64, { mode, m: 16 });
    expect(stable.members).toHaveLength(n);
    expect(lab.members().map((m) => m.name).sort()).toEqual(names(n).sort());
    const keys = keyList(200);
    for (const key of keys) await lab.services.get('n1')!.handle({ op: 'put', key, value: valueFor(key, 9) });
    const results = await lookups(lab, keys, 600, 5);
    expect(results.every((r) => r.found && r.value === valueFor(r.key, 9))).toBe(true);
    const ratio = mean(results.map((r) => r.hops)) / model;
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
  });

  it('walks the ring in id order from any member', async () => {
    const { lab, d } = await formed(8, 10, { mode: 'ring' });
    const walk = await walkRing(d, lab.peer('n5'));
    expect(walk).toHaveLength(8);
    const ids = walk.map((w) => w.id);
    const start = ids.indexOf(Math.min(...ids));
    expect([...ids.slice(start), ...ids.slice(0, start)]).toEqual([...ids].sort((a, b) => a - b));
  });

  it('keeps every key and answers every lookup while peers fail one after another, and a restarted peer rejoins', async () => {
    const { lab, d } = await formed(32, 32, { mode: 'shortcuts' });
    const keys = keyList(300);
    for (const key of keys) await lab.services.get('n1')!.handle({ op: 'put', key, value: valueFor(key, 3) });
    const ping = lab.params.periods.ping;
    let answered = 0;
    let asked = 0;
    let routedAround = 0;
    for (const victim of ['n7', 'n19', 'n25', 'n12']) {
      lab.kill(victim);
      // Lookups right away (nobody noticed yet) and over the next periods while the ring repairs.
      for (let round = 0; round < 6; round++) {
        for (const r of await lookups(lab, keys, 20, asked)) {
          answered += r.found && r.value === valueFor(r.key, 3) ? 1 : 0;
          routedAround += r.timeouts > 0 ? 1 : 0;
        }
        asked += 20;
        await lab.clock.advance(ping);
      }
    }
    expect(routedAround).toBeGreaterThan(0); // some lookups met a dead peer before it was repaired around
    expect(answered).toBe(asked);
    await waitStable(d, names(32).map((x) => lab.peer(x)), { expected: 28, limitMs: 60_000 });
    expect((await lookups(lab, keys, undefined, 1)).filter((r) => r.found && r.value === valueFor(r.key, 3))).toHaveLength(300);
    // n7's container starts again: with only its node config it joins through n1 and takes its keys back.
    lab.restart('n7', { bootstrap: ['n1', 'n2', 'n3'] });
    await waitStable(d, names(32).map((x) => lab.peer(x)), { expected: 29, limitMs: 60_000 });
    expect(lab.node('n7').params.mode).toBe('shortcuts');
    expect(lab.node('n7').status().owned).toBeGreaterThan(0);
    expect(lab.logs.some((l) => /n7\(\d+\): joined through n1/.test(l))).toBe(true);
  });

  it('says which member cannot take part, and which peers are wrong while the ring settles', async () => {
    const lab = new MemoryLab({});
    for (const name of names(4)) lab.add(name);
    lab.kill('n3');
    const d = lab.driver(mulberry32(1));
    await expect(formRing(d, names(4).map((x) => lab.peer(x)), [], {})).rejects.toThrow(/n3 \(n3:4000\) did not take the reset: n3 does not answer\. Is it a dht-node, and running/);
    await formRing(d, ['n1', 'n2'].map((x) => lab.peer(x)), ['n3', 'n4'].map((x) => lab.peer(x)), {});
    expect(lab.logs.some((l) => /n3 stays out/.test(l))).toBe(true);
    await expect(waitStable(d, names(4).map((x) => lab.peer(x)), { expected: 3, limitMs: 1000 })).rejects.toThrow(/not stable after 1000 ms:\n {2}2 members \(n1, n2\), expected 3/);
  });
});
