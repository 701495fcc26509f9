// Metainfo (.torrent, BEP 3, single-file mode) for a generated file: the orchestrator builds it
// when it plans the lab and hands it to the nodes in their config; agents parse it back.
import { bdecode, bencode, bytesOf, dictOf, intOf } from './bencode.js';
import { pieceBytes, pieceCount, sha1 } from './content.js';

/** What a user declares for the file a server distributes. */
export interface FileSpec {
  name: string;
  size: number;
  pieceLength: number;
  /** The content seed: the bytes are contentBytes(seed, …). */
  seed: number;
}

export interface Metainfo {
  announce: string;
  name: string;
  length: number;
  pieceLength: number;
  /** SHA-1 of every piece, in order. */
  pieces: Buffer[];
  /** SHA-1 of the bencoded info dictionary: the swarm's identity. */
  infoHash: Buffer;
}

export function pieceHashes(spec: FileSpec): Buffer[] {
  return Array.from({ length: pieceCount(spec.size, spec.pieceLength) }, (_, i) => sha1(pieceBytes(spec.seed, spec.size, spec.pieceLength, i)));
}

/** The .torrent bytes. `created` is left out so the same spec always gives the same file (and info hash). */
export function buildTorrent(spec: FileSpec, announce: string): Buffer {
  return bencode({
    announce,
    'created by': 'emunet',
    info: { length: spec.size, name: spec.name, 'piece length': spec.pieceLength, pieces: Buffer.concat(pieceHashes(spec)) },
  });
}

export function parseTorrent(torrent: Buffer): Metainfo {
  const top = dictOf(bdecode(torrent), 'a .torrent file');
  const info = dictOf(top.info, '"info"');
  const pieceLength = intOf(info, 'piece length');
  const length = intOf(info, 'length');
  const all = bytesOf(info, 'pieces');
  if (all.length % 20 !== 0) throw new Error(`"pieces" must be a multiple of 20 bytes long; found ${all.length}`);
  const pieces = Array.from({ length: all.length / 20 }, (_, i) => all.subarray(i * 20, i * 20 + 20));
  if (pieces.length !== pieceCount(length, pieceLength)) throw new Error(`a ${length}-byte file in ${pieceLength}-byte pieces has ${pieceCount(length, pieceLength)} pieces; the metainfo lists ${pieces.length}`);
  // Re-encoding is exact for canonical input (bdecode refuses unsorted keys).
  return { announce: bytesOf(top, 'announce').toString('utf8'), name: bytesOf(info, 'name').toString('utf8'), length, pieceLength, pieces, infoHash: sha1(bencode(info)) };
}
