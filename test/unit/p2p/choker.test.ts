import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../images/agent/src/common/random.js';
import { Choker, type ChokerPeer } from '../../../images/agent/src/p2p/choker.js';

/** A choker with BitTorrent's periods on a clock the test moves. */
function setup(seed = 1) {
  const clock = { t: 0 };
  const choker = new Choker({ slots: 4, rechokeMs: 10_000, optimisticMs: 30_000, now: () => clock.t, random: mulberry32(seed) });
  return { clock, choker };
}
const peers = (rates: Record<string, number>, uninterested: string[] = []): ChokerPeer[] => Object.entries(rates).map(([id, rate]) => ({ id, rate, interested: !uninterested.includes(id) }));

describe('tit-for-tat choker', () => {
  it('unchokes the 4 interested peers that send to us fastest, plus one optimistic unchoke', () => {
    const { choker } = setup();
    const d = choker.decide(peers({ a: 10, b: 50, c: 40, d: 30, e: 20, f: 5, g: 1 }, ['b']));
    expect(d.regular).toEqual(['c', 'd', 'e', 'a']); // b sends most but is not interested
    expect(d.optimistic).toBeDefined();
    expect(['f', 'g']).toContain(d.optimistic);
    expect(d.unchoked).toEqual(new Set([...d.regular, d.optimistic!]));
  });

  it('re-ranks only every 10 s: a peer that speeds up waits for the next period', () => {
    const { clock, choker } = setup();
    choker.decide(peers({ a: 40, b: 30, c: 20, d: 10, e: 1, f: 0 }));
    clock.t = 9_000;
    const early = choker.decide(peers({ a: 40, b: 30, c: 20, d: 10, e: 1, f: 99 }));
    expect(early.rechoked).toBe(false);
    expect(early.regular).toEqual(['a', 'b', 'c', 'd']);
    clock.t = 10_000;
    const due = choker.decide(peers({ a: 40, b: 30, c: 20, d: 10, e: 1, f: 99 }));
    expect(due.rechoked).toBe(true);
    expect(due.regular).toEqual(['f', 'a', 'b', 'c']);
  });

  it('refills a slot at once when an unchoked peer loses interest', () => {
    const { clock, choker } = setup();
    choker.decide(peers({ a: 40, b: 30, c: 20, d: 10, e: 5, f: 4, g: 3 }));
    clock.t = 1_000;
    const d = choker.decide(peers({ a: 40, b: 30, c: 20, d: 10, e: 5, f: 4, g: 3 }, ['b']));
    expect(d.regular).not.toContain('b');
    expect(d.regular).toHaveLength(4);
  });

  it('rotates the optimistic unchoke every 30 s, among choked peers, at random', () => {
    const { clock, choker } = setup(3);
    const slow = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`s${i}`, 0]));
    const all = peers({ a: 40, b: 30, c: 20, d: 10, ...slow });
    const first = choker.decide(all).optimistic;
    const seen = new Set([first]);
    for (let t = 1_000; t < 30_000; t += 1_000) {
      clock.t = t;
      expect(choker.decide(all).optimistic).toBe(first); // held for the whole period
    }
    for (let k = 1; k <= 8; k++) {
      clock.t = k * 30_000;
      const d = choker.decide(all);
      expect(d.rotated).toBe(true);
      expect(d.optimistic).not.toBe([...seen].at(-1));
      expect(['a', 'b', 'c', 'd']).not.toContain(d.optimistic);
      seen.add(d.optimistic);
    }
    expect(seen.size).toBeGreaterThan(3);
  });

  it('lets an optimistically unchoked peer that reciprocates join the top four (lecture steps 1–3)', () => {
    const { clock, choker } = setup();
    const rates = { a: 40, b: 30, c: 20, d: 10, bob: 0 };
    const first = choker.decide(peers(rates));
    expect(first.optimistic).toBe('bob'); // the only choked one
    clock.t = 10_000;
    const after = choker.decide(peers({ ...rates, bob: 35 })); // Bob reciprocated
    expect(after.regular).toEqual(['a', 'bob', 'b', 'c']);
    expect(after.optimistic).toBe('d');
  });
});
