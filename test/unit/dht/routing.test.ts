// Routing on ideal tables (pure): the hop counts the lecture's formulas describe — N/2 around
// the ring, ½·log2 N with Chord's shortcuts — for the node names the shipped topology uses.
import { describe, expect, it } from 'vitest';
import { clockwise, fingerStart, hashId, inHalfOpen, inOpen, keyId } from '../../../images/agent/src/dht/ids.js';
import type { NodeRef } from '../../../images/agent/src/dht/messages.js';
import { circle, idealTables, routeStep, successorOf, type IdealTables } from '../../../images/agent/src/dht/routing.js';
import { mulberry32 } from '../../../images/agent/src/common/random.js';

const m = 16;
const ref = (name: string, id = hashId(name, m)): NodeRef => ({ id, name, host: name, port: 4000 });

/** Hops of a lookup from `from` with every table ideal: peers reached before one knew the owner. */
function hops(ideal: Map<number, IdealTables>, mode: 'ring' | 'shortcuts', from: NodeRef, key: number): { hops: number; owner: NodeRef } {
  let at = from;
  for (let h = 0; h < 10_000; h++) {
    const t = ideal.get(at.id)!;
    const reply = routeStep({ self: at, mode, m, successors: t.successors, fingers: mode === 'ring' ? [] : t.fingers }, key);
    if (reply.done) return { hops: h, owner: reply.owner };
    at = reply.next;
  }
  throw new Error('loop');
}

describe('identifier arithmetic', () => {
  it('has half-open and open arcs that wrap past 2^m − 1', () => {
    expect([inHalfOpen(13, 12, 14), inHalfOpen(14, 12, 14), inHalfOpen(12, 12, 14), inHalfOpen(15, 14, 1), inHalfOpen(0, 14, 1), inHalfOpen(1, 14, 1)]).toEqual([true, true, false, true, true, true]);
    expect([inOpen(14, 12, 14), inOpen(0, 14, 3), inOpen(5, 5, 5), inOpen(6, 5, 5)]).toEqual([false, true, false, true]);
    expect(inHalfOpen(7, 3, 3)).toBe(true); // a peer alone owns everything
    expect([clockwise(14, 1, 4), fingerStart(14, 3, 4), fingerStart(1, 3, 4)]).toEqual([3, 6, 9]);
  });

  it('hashes keys with SHA-1 truncated to m bits, or takes numeric keys as they are', () => {
    // sha1("abc") = a9993e36…: its top 16 bits are 0xa999, its top 4 bits 0xa.
    expect([hashId('abc', 16), hashId('abc', 4), hashId('abc', 32)]).toEqual([0xa999, 0xa, 0xa9993e36]);
    expect([keyId('13', 4, true), keyId('13', 4)]).toEqual([13, hashId('13', 4)]);
    expect(() => keyId('16', 4, true)).toThrow('numeric key "16" must be a whole number from 0 to 15 (m = 4)');
    expect(() => keyId('x', 4, true)).toThrow(/numeric key "x"/);
  });
});

describe('routing on ideal tables', () => {
  it('always ends at the key\'s immediate successor, in both modes', () => {
    const members = Array.from({ length: 32 }, (_, i) => ref(`n${i + 1}`));
    const sorted = circle(members);
    const ideal = idealTables(members, m, 2);
    const random = mulberry32(7);
    for (let k = 0; k < 500; k++) {
      const key = Math.floor(random() * 2 ** m);
      const from = members[k % members.length]!;
      for (const mode of ['ring', 'shortcuts'] as const) expect(hops(ideal, mode, from, key).owner.id).toBe(successorOf(sorted, key).id);
    }
  });

  // The N. At N = 8 these names give 0.88 (ring) and 0.83 (shortcuts) of the model:
  // ½·log2 N is an average over placements, and 8 peers are few to average over.
  it.each([16, 32, 64])('N = %i: mean hops within 15%% of N/2 (ring) and ½·log2 N (shortcuts)', (n) => {
    const members = Array.from({ length: n }, (_, i) => ref(`n${i + 1}`));
    expect(new Set(members.map((x) => x.id)).size).toBe(n); // the shipped names do not collide at m = 16
    const ideal = idealTables(members, m, 2);
    const random = mulberry32(42);
    const mean = (mode: 'ring' | 'shortcuts') => {
      let total = 0;
      const count = 4000;
      for (let k = 0; k < count; k++) total += hops(ideal, mode, members[Math.floor(random() * n)]!, Math.floor(random() * 2 ** m)).hops;
      return total / count;
    };
    const ring = mean("ring") / (n / 2);
    const shortcuts = mean('shortcuts') / (Math.log2(n) / 2);
    expect(ring).toBeGreaterThan(0.85);
    expect(ring).toBeLessThan(1.15);
    expect(shortcuts).toBeGreaterThan(0.85);
    expect(shortcuts).toBeLessThan(1.15);
  });

  it('skips excluded (dead) peers: the next successor owns their keys', () => {
    const a = ref('a', 1);
    const b = ref('b', 5);
    const c = ref('c', 8);
    const t = { self: a, mode: 'ring' as const, m: 4, successors: [b, c], fingers: [] };
    expect(routeStep(t, 4)).toEqual({ done: true, owner: b, successors: [c] });
    expect(routeStep(t, 4, new Set([5]))).toEqual({ done: true, owner: c, successors: [] });
    expect(routeStep(t, 7)).toEqual({ done: false, next: b });
  });
});
