// The distributed file's bytes are a pure function of (seed, offset): seeders generate what they
// serve, the orchestrator hashes the pieces for the .torrent without the file ever existing on
// the host, and a test can check a third-party client's download byte for byte.
import { createHash } from 'node:crypto';

/** A stateless 32-bit mix (murmur3's finaliser) of the seed and a word index: random access, no state. */
function word(seed: number, index: number): number {
  let h = (Math.imul(index, 0x9e3779b1) ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The bytes [offset, offset + length) of the file with this seed. */
export function contentBytes(seed: number, offset: number, length: number): Buffer {
  const first = Math.floor(offset / 4);
  const words = Math.ceil((offset + length) / 4) - first;
  const out = Buffer.allocUnsafe(words * 4);
  for (let i = 0; i < words; i++) out.writeUInt32LE(word(seed >>> 0, first + i), i * 4);
  const skip = offset - first * 4;
  return out.subarray(skip, skip + length);
}

/** Piece `index` of a file of `size` bytes cut into `pieceLength`-byte pieces (the last one shorter). */
export function pieceBytes(seed: number, size: number, pieceLength: number, index: number): Buffer {
  const offset = index * pieceLength;
  return contentBytes(seed, offset, Math.min(pieceLength, size - offset));
}

export const pieceCount = (size: number, pieceLength: number) => Math.ceil(size / pieceLength);

export const sha1 = (data: Buffer) => createHash('sha1').update(data).digest();

/** SHA-1 of the whole file, for tests that compare a client's download with the original. */
export function fileSha1(seed: number, size: number): string {
  const hash = createHash('sha1');
  const chunk = 1 << 20;
  for (let offset = 0; offset < size; offset += chunk) hash.update(contentBytes(seed, offset, Math.min(chunk, size - offset)));
  return hash.digest('hex');
}
