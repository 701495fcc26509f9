import { describe, expect, it } from 'vitest';
import { bdecode, type BDict } from '../../../orchestrator/p2p/bencode.js';
import { mulberry32 } from '../../../images/agent/src/common/random.js';
import { compactPeer, parseCompactPeers, parseQuery, Tracker } from '../../../images/agent/src/p2p/tracker.js';
import { announceUrl, escapeBytes, parseAnnounceResponse } from '../../../images/agent/src/p2p/tracker-client.js';

const HASH = Buffer.alloc(20, 0xab);
const id = (n: number) => Buffer.from(`-EM0100-${String(n).padStart(12, '0')}`);
const query = (peer: number, extra = '') => `info_hash=${escapeBytes(HASH)}&peer_id=${escapeBytes(id(peer))}&port=${6881}&uploaded=0&downloaded=0&left=${peer === 0 ? 0 : 1000}&compact=1${extra}`;

function setup() {
  const clock = { t: 0 };
  const tracker = new Tracker({ interval: 10, known: new Set([HASH.toString('hex')]), now: () => clock.t, random: mulberry32(1) });
  return { clock, tracker };
}
const dict = (b: Buffer) => bdecode(b) as BDict;

describe('HTTP tracker', () => {
  it('decodes binary query values (%-escaped info_hash and peer_id)', () => {
    const q = parseQuery(`info_hash=${escapeBytes(HASH)}&port=6881&x=a+b`);
    expect(q.get('info_hash')![0]!.equals(HASH)).toBe(true);
    expect(q.get('x')![0]!.toString()).toBe('a b');
  });

  it('answers an announce with the interval, counts and a compact list of the other peers (BEP 23)', () => {
    const { tracker } = setup();
    tracker.announce(query(0, '&event=completed'), '10.0.0.2'); // a seeder
    tracker.announce(query(1, '&event=started'), '10.0.0.3');
    const r = dict(tracker.announce(query(2, '&event=started'), '10.0.0.4'));
    expect(r).toMatchObject({ interval: 10, complete: 1, incomplete: 2 });
    expect(parseCompactPeers(r.peers as Buffer).sort((a, b) => a.ip.localeCompare(b.ip))).toEqual([{ ip: '10.0.0.2', port: 6881 }, { ip: '10.0.0.3', port: 6881 }]);
    expect(parseAnnounceResponse(tracker.announce(query(1), '10.0.0.3')).peers).toHaveLength(2);
  });

  it('lists peers as dictionaries when compact=0 is asked for', () => {
    const { tracker } = setup();
    tracker.announce(query(1), '10.0.0.3');
    const r = dict(tracker.announce(query(2).replace('compact=1', 'compact=0'), '10.0.0.4'));
    const [peer] = r.peers as BDict[];
    expect(peer!.ip!.toString()).toBe('10.0.0.3');
    expect((peer!['peer id'] as Buffer).equals(id(1))).toBe(true);
  });

  it('drops a peer on event=stopped and forgets silent ones after two intervals', () => {
    const { clock, tracker } = setup();
    tracker.announce(query(1), '10.0.0.3');
    tracker.announce(query(2), '10.0.0.4');
    tracker.announce(query(1, '&event=stopped'), '10.0.0.3');
    expect(parseCompactPeers(dict(tracker.announce(query(3), '10.0.0.5')).peers as Buffer).map((p) => p.ip)).toEqual(['10.0.0.4']);
    clock.t = 21_000;
    expect(dict(tracker.announce(query(3), '10.0.0.5')).peers).toEqual(Buffer.alloc(0));
  });

  it('scrapes: seeders, leechers and completions per swarm, keyed by the binary info hash', () => {
    const { tracker } = setup();
    tracker.announce(query(1, '&event=started'), '10.0.0.3');
    tracker.announce(query(1, '&event=completed').replace('left=1000', 'left=0'), '10.0.0.3');
    tracker.announce(query(2), '10.0.0.4');
    const files = dict(tracker.scrape(`info_hash=${escapeBytes(HASH)}`)).files as BDict;
    expect(files[HASH.toString('latin1')]).toEqual({ complete: 1, downloaded: 1, incomplete: 1 });
  });

  it('refuses unknown swarms and malformed announces with a failure reason', () => {
    const { tracker } = setup();
    expect(dict(tracker.announce(query(1).replace(escapeBytes(HASH), escapeBytes(Buffer.alloc(20, 1))), '10.0.0.3'))['failure reason']!.toString()).toMatch(/unknown torrent/);
    expect(dict(tracker.announce('port=1', '10.0.0.3'))['failure reason']!.toString()).toMatch(/info_hash/);
    expect(() => parseAnnounceResponse(tracker.announce('port=1', '10.0.0.3'))).toThrow(/tracker: info_hash/);
  });

  it('builds announce URLs with every binary byte escaped', () => {
    const url = announceUrl('http://tracker:6969/announce', { infoHash: HASH, peerId: id(1), port: 6881, uploaded: 0, downloaded: 0, left: 5, event: 'started' });
    expect(url).toMatch(/^http:\/\/tracker:6969\/announce\?info_hash=(%ab){20}&peer_id=-EM0100-0{11}1&port=6881&.*&left=5&compact=1.*&event=started$/);
    expect(compactPeer({ ip: '10.1.2.3', port: 6881 })).toEqual(Buffer.from([10, 1, 2, 3, 0x1a, 0xe1]));
  });
});
