import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../images/agent/src/common/random.js';
import { Bitfield } from '../../../images/agent/src/p2p/bitfield.js';
import { ENDGAME_COPIES, PiecePicker, type Block } from '../../../images/agent/src/p2p/picker.js';

const KB16 = 16384;
const bits = (n: number, have: number[]) => {
  const b = new Bitfield(n);
  have.forEach((i) => b.set(i));
  return b;
};
const none = () => false;
/** A picker for `pieces` pieces of two blocks each that already holds piece 0 (rarest first is on). */
function picker(pieces: number, random = mulberry32(1)) {
  const p = new PiecePicker({ pieceLength: 2 * KB16, length: pieces * 2 * KB16, random });
  p.next(bits(pieces, [0]), none);
  p.next(bits(pieces, [0]), none);
  p.received({ index: 0, begin: 0, length: KB16 });
  p.received({ index: 0, begin: KB16, length: KB16 });
  p.verified(0, true);
  return p;
}

describe('piece picker', () => {
  it('picks the first piece at random among those the peer has', () => {
    const firsts = new Set<number>();
    for (let seed = 1; seed <= 20; seed++) {
      const p = new PiecePicker({ pieceLength: 2 * KB16, length: 8 * 2 * KB16, random: mulberry32(seed) });
      p.peerHas(bits(8, [0, 1, 2, 3, 4, 5, 6, 7]));
      p.peerHas(bits(8, [0, 1, 2]));
      firsts.add(p.next(bits(8, [0, 1, 2, 3, 4, 5, 6, 7]), none)!.index);
    }
    expect(firsts.size).toBeGreaterThan(3); // common pieces too: availability is ignored for the first
  });

  it('then asks for the rarest piece the peer has', () => {
    const p = picker(6);
    p.peerHas(bits(6, [1, 2, 3, 4, 5]));
    p.peerHas(bits(6, [1, 2, 3, 5]));
    p.peerHas(bits(6, [1, 3, 5]));
    // availability: 1:3 2:2 3:3 4:1 5:3
    expect(p.next(bits(6, [1, 2, 3, 4, 5]), none)).toEqual({ index: 4, begin: 0, length: KB16 });
    expect(p.next(bits(6, [1, 2, 3, 5]), none)!.index).toBe(2); // piece 4: this peer lacks it
  });

  it('finishes a started piece before starting another (strict priority)', () => {
    const p = picker(6);
    const all = bits(6, [1, 2, 3, 4, 5]);
    p.peerHas(all);
    const first = p.next(all, none)!;
    p.peerHas(bits(6, [first.index])); // now the most common piece: still finished first
    expect(p.next(all, none)).toEqual({ index: first.index, begin: KB16, length: KB16 });
  });

  it('gives a block back when its request is dropped (choke, disconnect)', () => {
    const p = picker(3);
    const peer = bits(3, [1]);
    const a = p.next(peer, none)!;
    p.next(peer, none);
    expect(p.next(peer, none)).toBeUndefined();
    p.unrequest(a);
    expect(p.next(peer, none)).toEqual(a);
  });

  it('enters endgame once every missing block is requested, copying each to at most two peers', () => {
    const p = picker(2);
    const peer = bits(2, [1]);
    const asked = new Map<string, Block[]>([['a', []], ['b', []], ['c', []]]);
    const ask = (who: string) => {
      const mine = asked.get(who)!;
      const b = p.next(peer, (x) => mine.some((m) => m.index === x.index && m.begin === x.begin));
      if (b) mine.push(b);
      return b;
    };
    ask('a');
    expect(p.endgame).toBe(false);
    ask('a');
    expect(p.endgame).toBe(true);
    expect(ask('a')).toBeUndefined(); // never the same block twice from one peer
    expect(ask('b')).toEqual({ index: 1, begin: 0, length: KB16 });
    expect(ask('b')).toEqual({ index: 1, begin: KB16, length: KB16 });
    expect(ENDGAME_COPIES).toBe(2);
    expect(ask('c')).toBeUndefined(); // both blocks already asked of two peers
    expect(p.received({ index: 1, begin: 0, length: KB16 })).toBe('block');
    expect(p.received({ index: 1, begin: 0, length: KB16 })).toBe('dup'); // the copy, when it comes
    expect(p.received({ index: 1, begin: KB16, length: KB16 })).toBe('piece');
    p.verified(1, true);
    expect(p.have.complete).toBe(true);
  });

  it('refuses endgame copies when asked not to (the neighbour is still busy)', () => {
    const p = picker(2);
    const peer = bits(2, [1]);
    p.next(peer, none);
    p.next(peer, none);
    expect(p.next(peer, none, false)).toBeUndefined();
    expect(p.next(peer, none, true)).toBeDefined();
  });

  it('asks again for every block of a piece that fails its hash check', () => {
    const p = picker(2);
    const peer = bits(2, [1]);
    p.next(peer, none);
    p.next(peer, none);
    p.received({ index: 1, begin: 0, length: KB16 });
    p.received({ index: 1, begin: KB16, length: KB16 });
    p.verified(1, false);
    expect(p.have.has(1)).toBe(false);
    expect(p.next(peer, none)).toEqual({ index: 1, begin: 0, length: KB16 });
  });
});
