// The lecture's worked example (n = 4 bits; peers 1, 3, 4, 5, 8, 10, 12, 14), on an in-memory
// network with a fake clock: where keys are stored, how many messages a query takes around the
// ring and with shortcuts, and how the ring survives peer 5 leaving abruptly.
import { describe, expect, it } from 'vitest';
import type { LookupResult } from '../../../images/agent/src/dht/messages.js';
import { MemoryLab } from './memory-lab.js';

const ids = [1, 3, 4, 5, 8, 10, 12, 14];
const names = ids.map((id) => `p${id}`);

async function lectureRing(mode: 'ring' | 'shortcuts') {
  const lab = new MemoryLab({ m: 4, mode, successors: 2 });
  await lab.ring(names, ids);
  await lab.settle();
  return lab;
}

const ask = (lab: MemoryLab, from: string, request: Record<string, unknown>) => lab.services.get(from)!.handle(request) as Promise<LookupResult>;

describe("the lecture's circular DHT: n = 4, peers 1,3,4,5,8,10,12,14", () => {
  it('stores a key at its immediate successor: key 13 at peer 14, key 15 at peer 1', async () => {
    const lab = await lectureRing('ring');
    const k13 = await ask(lab, 'p3', { op: 'put', key: '13', numeric: true, value: 'thirteen' });
    const k15 = await ask(lab, 'p8', { op: 'put', key: '15', numeric: true, value: 'fifteen' });
    expect([k13.id, k13.owner.id, k15.id, k15.owner.id]).toEqual([13, 14, 15, 1]);
    expect(lab.node('p14').store.get('13')?.value).toBe('thirteen');
    expect(lab.node('p1').store.get('15')?.value).toBe('fifteen');
    // Replicated on the owner's two successors: 14 -> 1, 3; 1 -> 3, 4.
    expect(['p1', 'p3'].map((p) => lab.node(p).store.get('13')?.value)).toEqual(['thirteen', 'thirteen']);
    expect(['p3', 'p4'].map((p) => lab.node(p).store.get('15')?.value)).toEqual(['fifteen', 'fifteen']);
    const got = await ask(lab, 'p10', { op: 'lookup', key: '13', numeric: true });
    expect(got).toMatchObject({ owner: { name: 'p14' }, found: true, value: 'thirteen' });
  });

  it('knows only successors and predecessor on the ring; each peer has two successors', async () => {
    const lab = await lectureRing('ring');
    expect(lab.node('p4').successors.map((s) => s.id)).toEqual([5, 8]);
    expect(lab.node('p14').successors.map((s) => s.id)).toEqual([1, 3]);
    expect(lab.node('p1').predecessor?.id).toBe(14);
    expect(lab.node('p1').fingers).toEqual([]);
  });

  it('a query from peer 1 for key 14 (1110) takes 6 messages around the ring and 2 with shortcuts', async () => {
    const ring = await ask(await lectureRing('ring'), 'p1', { op: 'lookup', key: '14', numeric: true, fetch: false });
    expect([ring.hops, ring.owner.id]).toEqual([6, 14]); // 1 -> 3 -> 4 -> 5 -> 8 -> 10 -> 12, which knows 14 owns it
    const shortcuts = await ask(await lectureRing('shortcuts'), 'p1', { op: 'lookup', key: '14', numeric: true, fetch: false });
    expect([shortcuts.hops, shortcuts.owner.id]).toEqual([2, 14]); // 1 -> 10 -> 12
  });

  it('builds Chord finger tables: finger i of peer p is successor(p + 2^i)', async () => {
    const lab = await lectureRing('shortcuts');
    const fingers = (p: string) => lab.node(p).fingers.map((f) => f?.id);
    expect(fingers('p1')).toEqual([3, 3, 5, 10]); // starts 2, 3, 5, 9
    expect(fingers('p8')).toEqual([10, 10, 12, 1]); // starts 9, 10, 12, 0
    expect(fingers('p14')).toEqual([1, 1, 3, 8]); // starts 15, 0, 2, 6
  });

  it('peer 5 leaves abruptly: 4 detects it, makes 8 its successor and 8\'s successor (10) its second; no key is lost', async () => {
    const lab = await lectureRing('ring');
    await ask(lab, 'p1', { op: 'put', key: '5', numeric: true, value: 'five' });
    expect(lab.node('p4').successors.map((s) => s.id)).toEqual([5, 8]);
    lab.kill('p5');
    // One ping period: peer 4 pings 5, gets no answer, and repairs its successor list from 8.
    await lab.clock.advance(lab.params.periods.ping);
    expect(lab.node('p4').successors.map((s) => s.id)).toEqual([8, 10]);
    expect(lab.logs.some((l) => /p4\(4\): successor p5\(5\) does not answer: dropped/.test(l))).toBe(true);
    await lab.settle();
    expect(lab.node('p3').successors.map((s) => s.id)).toEqual([4, 8]);
    expect(lab.node('p8').predecessor?.id).toBe(4);
    // Key 5 lived at peer 5; its replica at 8 answers, and 8 now owns it.
    const got = await ask(lab, 'p12', { op: 'lookup', key: '5', numeric: true });
    expect(got).toMatchObject({ owner: { id: 8 }, found: true, value: 'five' });
  });

  it('routes around a dead peer before anyone noticed, to the replica', async () => {
    const lab = await lectureRing('ring');
    await ask(lab, 'p1', { op: 'put', key: '5', numeric: true, value: 'five' });
    lab.kill('p5');
    const got = await ask(lab, 'p1', { op: 'lookup', key: '5', numeric: true });
    expect(got).toMatchObject({ owner: { id: 8 }, found: true, value: 'five', timeouts: 1 });
  });

  it('peer 13 joins: 12 makes it its successor, it takes keys 13 from 14, and leaves gracefully handing them back', async () => {
    const lab = await lectureRing('shortcuts');
    await ask(lab, 'p1', { op: 'put', key: '13', numeric: true, value: 'thirteen' });
    lab.add('p13', { id: 13 });
    await lab.services.get('p13')!.handle({ op: 'join', via: ['p4'] });
    expect(lab.node('p12').successors.map((s) => s.id)).toEqual([13, 14]);
    expect(lab.node('p13').successors.map((s) => s.id)).toEqual([14, 1]);
    expect(lab.node('p13').store.get('13')?.value).toBe('thirteen');
    await lab.settle();
    expect((await ask(lab, 'p3', { op: 'lookup', key: '13', numeric: true })).owner.id).toBe(13);
    const { handedOver } = (await lab.services.get('p13')!.handle({ op: 'leave' })) as { handedOver: number };
    expect(handedOver).toBe(1);
    expect(lab.node('p12').successors.map((s) => s.id)).toEqual([14, 1]);
    expect(lab.node('p14').predecessor?.id).toBe(12);
    await lab.settle();
    expect(await ask(lab, 'p8', { op: 'lookup', key: '13', numeric: true })).toMatchObject({ owner: { id: 14 }, found: true, value: 'thirteen' });
  });
});
