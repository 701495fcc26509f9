import net from 'node:net';
import { log } from './records.js';

// The far end of the `bulk` workload: a sink (RFC 863 discard, plus a receipt) and a source
// (RFC 864 chargen style, but fast). Goodput is always measured by the RECEIVER, from its first
// byte to its last: bytes a sender has written may still be sitting in socket buffers.

export const SINK_PORT = 9;
export const SOURCE_PORT = 19;

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** Receipt the sink sends when the sender half-closes: what had arrived by when. */
export interface Receipt {
  bytes: number;
  firstByteMs: number;
  lastByteMs: number;
  /** [ms since the first byte, bytes received so far], every ~50 ms, so the sender can leave out a start-up period. */
  progress: [number, number][];
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

export async function startBulkServices(): Promise<() => void> {
  const sink = net.createServer({ allowHalfOpen: true }, (socket) => {
    let bytes = 0;
    let first = 0;
    let last = 0;
    const progress: [number, number][] = [];
    socket.on('data', (d: Buffer) => {
      const t = now();
      if (bytes === 0) first = t;
      bytes += d.length;
      last = t;
      if (progress.length === 0 || t - first - progress[progress.length - 1]![0] >= 50) progress.push([t - first, bytes]);
    });
    socket.on('end', () => {
      progress.push([last - first, bytes]);
      const receipt: Receipt = { bytes, firstByteMs: first, lastByteMs: last, progress };
      socket.end(JSON.stringify(receipt));
    });
    socket.on('error', () => socket.destroy());
  });
  const source = net.createServer((socket) => {
    const pump = () => {
      while (!socket.destroyed && socket.write(CHUNK));
    };
    socket.on('drain', pump);
    socket.on('error', () => socket.destroy());
    pump();
  });
  await Promise.all([listen(sink, SINK_PORT), listen(source, SOURCE_PORT)]);
  log(`bulk sink on tcp ${SINK_PORT}, source on tcp ${SOURCE_PORT}`);
  return () => {
    sink.close();
    source.close();
  };
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
}
