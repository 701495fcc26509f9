import { describe, expect, it } from 'vitest';
import { bdecode, bencode, BencodeError } from '../../../orchestrator/p2p/bencode.js';
import { contentBytes, fileSha1, pieceBytes, sha1 } from '../../../orchestrator/p2p/content.js';
import { buildTorrent, parseTorrent, pieceHashes } from '../../../orchestrator/p2p/metainfo.js';
import { planP2p } from '../../../orchestrator/p2p/plan.js';

describe('bencode', () => {
  it('encodes BEP 3 examples exactly', () => {
    expect(bencode('spam').toString()).toBe('4:spam');
    expect(bencode(3).toString()).toBe('i3e');
    expect(bencode(-3).toString()).toBe('i-3e');
    expect(bencode(['spam', 'eggs']).toString()).toBe('l4:spam4:eggse');
    expect(bencode({ spam: ['a', 'b'], cow: 'moo' }).toString()).toBe('d3:cow3:moo4:spaml1:a1:bee'); // keys sorted
  });

  it('round-trips binary strings, nested values and binary dictionary keys', () => {
    const value = { info: { pieces: Buffer.from([0, 255, 10, 13]), 'piece length': 32768, files: [{ length: 1, path: ['a'] }] }, [Buffer.from([0xff, 0x00]).toString('latin1')]: 1 };
    const encoded = bencode(value);
    expect(bencode(bdecode(encoded) as never).equals(encoded)).toBe(true);
  });

  it('refuses malformed input with the byte position', () => {
    expect(() => bdecode(Buffer.from('i03e'))).toThrow(BencodeError);
    expect(() => bdecode(Buffer.from('d3:zzz1:a3:aaa1:be'))).toThrow(/out of order/);
    expect(() => bdecode(Buffer.from('5:abc'))).toThrow(/runs past the end/);
    expect(() => bdecode(Buffer.from('i1ei2e'))).toThrow(/trailing data/);
  });
});

describe('generated content and metainfo', () => {
  const spec = { name: 'lecture.bin', size: 100_000, pieceLength: 32768, seed: 7 };

  it('generates the same bytes at any offset (random access) and different bytes for another seed', () => {
    const whole = contentBytes(7, 0, 1000);
    expect(contentBytes(7, 333, 100).equals(whole.subarray(333, 433))).toBe(true);
    expect(contentBytes(8, 0, 1000).equals(whole)).toBe(false);
    expect(pieceBytes(7, 100_000, 32768, 3).length).toBe(100_000 - 3 * 32768); // the last piece is short
  });

  it('round-trips a .torrent: same fields, piece hashes of the content, stable info hash', () => {
    const torrent = buildTorrent(spec, 'http://tracker:6969/announce');
    const meta = parseTorrent(torrent);
    expect(meta).toMatchObject({ announce: 'http://tracker:6969/announce', name: 'lecture.bin', length: 100_000, pieceLength: 32768 });
    expect(meta.pieces).toHaveLength(4);
    expect(meta.pieces[2]!.equals(sha1(pieceBytes(7, 100_000, 32768, 2)))).toBe(true);
    expect(Buffer.concat(meta.pieces).equals(Buffer.concat(pieceHashes(spec)))).toBe(true);
    expect(bencode(bdecode(torrent) as never).equals(torrent)).toBe(true);
    expect(parseTorrent(buildTorrent(spec, 'http://tracker:6969/announce')).infoHash.equals(meta.infoHash)).toBe(true);
    expect(parseTorrent(buildTorrent({ ...spec, seed: 8 }, 'http://tracker:6969/announce')).infoHash.equals(meta.infoHash)).toBe(false);
    expect(fileSha1(7, 100_000)).toBe(sha1(contentBytes(7, 0, 100_000)).toString('hex'));
  });

  it('plans the torrent into every node of the swarm, announcing to the lab tracker', () => {
    const nodes = [
      { name: 'tracker', role: 'bt-tracker', config: {} },
      { name: 'server', role: 'file-server', config: { file: { size: '64KiB', 'piece-size': '32KiB' } } },
      { name: 'p1', role: 'bt-peer', config: { after: 'leave' } },
      { name: 'c1', role: 'file-client', config: {} },
    ];
    const configs = planP2p(nodes);
    const meta = parseTorrent(Buffer.from(configs.get('p1')!.metainfo as string, 'base64'));
    expect(meta).toMatchObject({ announce: 'http://tracker:6969/announce', name: 'server.bin', length: 65536, pieceLength: 32768 });
    expect(configs.get('p1')).toMatchObject({ after: 'leave', server: 'server', 'content-seed': 1 });
    expect(configs.get('c1')!.metainfo).toBe(configs.get('p1')!.metainfo);
    expect(configs.get('tracker')!.metainfo).toEqual([configs.get('p1')!.metainfo]);
  });

  it('says what is wrong with a file declaration', () => {
    const plan = (file: unknown) => planP2p([{ name: 'server', role: 'file-server', config: { file } }]);
    expect(() => plan(undefined)).toThrow(/nodes.server.config.file: a file-server needs the file/);
    expect(() => plan({ size: 'big' })).toThrow(/size must be a size like 4MiB/);
    expect(() => plan({ size: '1MiB', 'piece-size': '10kB' })).toThrow(/multiple of 16KiB/);
    expect(() => plan({ size: '1MiB', sise: 1 })).toThrow(/unknown key\(s\) "sise"/);
    expect(() => planP2p([{ name: 'p1', role: 'bt-peer', config: {} }])).toThrow(/no file-server node/);
  });
});
