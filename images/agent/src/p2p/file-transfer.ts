// The client-server baseline: the server sends the whole file to every client that connects,
// over plain TCP, as fast as its upload link lets it (N clients share u_s, so the last is done
// after about NF/u_s); each client checks every piece's SHA-1 as it arrives.
import net from 'node:net';
import { contentBytes } from '../../../../orchestrator/p2p/content.js';
import type { Metainfo } from '../../../../orchestrator/p2p/metainfo.js';
import { createHash } from 'node:crypto';

const CHUNK = 64 * 1024;

export function serveFile(meta: Metainfo, contentSeed: number, port: number, log: (l: string) => void): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let offset = 0;
    const started = Date.now();
    const more = () => {
      // Written as the socket drains: the file never sits whole in a socket buffer.
      while (offset < meta.length) {
        const n = Math.min(CHUNK, meta.length - offset);
        const ok = socket.write(contentBytes(contentSeed, offset, n));
        offset += n;
        if (!ok) return void socket.once('drain', more);
      }
      socket.end(() => log(`file-server: sent ${meta.length} bytes to ${socket.remoteAddress} in ${Date.now() - started} ms`));
    };
    socket.on('error', () => socket.destroy());
    more();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}

export interface FetchResult { bytes: number; verifiedPieces: number; completedAt: number }

/** Downloads the file from `host:port`, verifying each piece against the metainfo. */
export function fetchFile(meta: Metainfo, host: string, port: number, now: () => number): { done: Promise<FetchResult>; cancel: () => void } {
  const socket = net.connect({ host, port });
  const done = new Promise<FetchResult>((resolve, reject) => {
    let bytes = 0;
    let piece = 0;
    let hash = createHash('sha1');
    let inPiece = 0;
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      let at = 0;
      while (at < chunk.length) {
        const size = Math.min(meta.pieceLength, meta.length - piece * meta.pieceLength);
        const take = Math.min(size - inPiece, chunk.length - at);
        hash.update(chunk.subarray(at, at + take));
        at += take;
        inPiece += take;
        if (inPiece === size) {
          if (!hash.digest().equals(meta.pieces[piece] ?? Buffer.alloc(0))) return socket.destroy(new Error(`piece ${piece} failed its SHA-1 check`));
          piece++;
          inPiece = 0;
          hash = createHash('sha1');
        }
      }
    });
    socket.on('end', () => (bytes === meta.length && piece === meta.pieces.length ? resolve({ bytes, verifiedPieces: piece, completedAt: now() }) : reject(new Error(`the server closed after ${bytes} of ${meta.length} bytes`))));
    socket.on('error', reject);
  });
  return { done, cancel: () => socket.destroy() };
}
