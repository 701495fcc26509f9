import net from 'node:net';
import { SINK_PORT, SOURCE_PORT, type Receipt } from '../common/bulk-services.js';
import { log, record } from '../common/records.js';
import { numberArg, stringArg, type Workload } from './workload.js';

// TCP goodput between two nodes, in either direction, measured by the receiver:
//   upload:   this node sends to the target's sink for `seconds`; the sink reports a receipt.
//   download: this node reads from the target's source for `seconds`.
// The first `skip` seconds (TCP slow start, the token bucket's initial burst) are excluded
// from both figures, so they report the steady rate the link allows.

const CHUNK = Buffer.alloc(64 * 1024, 0x62);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const mbit = (bytes: number, ms: number) => (bytes * 8) / (ms * 1000);
const round = (v: number) => Math.round(v * 1000) / 1000;

export const bulk: Workload = {
  name: 'bulk',
  async run(args) {
    const target = stringArg(args, 'target');
    const direction = args.direction === undefined ? 'download' : stringArg(args, 'direction');
    const seconds = numberArg(args, 'seconds', 5);
    const skip = numberArg(args, 'skip', 1);
    if (direction !== 'upload' && direction !== 'download') throw new Error(`argument "direction" must be upload or download, found ${JSON.stringify(direction)}`);
    log(`bulk ${direction} with ${target} for ${seconds} s`);
    const goodput = direction === 'upload' ? await upload(target, seconds, skip) : await download(target, seconds, skip);
    record(`goodput_${direction}`, round(goodput), 'Mbit/s', { peer: target });
  },
};

async function upload(target: string, seconds: number, skip: number): Promise<number> {
  const socket = await connect(target, SINK_PORT);
  const deadline = now() + (skip + seconds) * 1000;
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    const pump = () => {
      while (now() < deadline) if (!socket.write(CHUNK)) return;
      socket.off('drain', pump);
      resolve();
    };
    socket.on('drain', pump);
    pump();
  });
  const reply = await new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.end();
  });
  const receipt = JSON.parse(reply) as Receipt;
  // From the first progress mark after the start-up period to the last byte.
  const [fromMs, fromBytes] = receipt.progress.find(([t]) => t >= skip * 1000) ?? [0, 0];
  const [toMs, toBytes] = receipt.progress[receipt.progress.length - 1]!;
  return mbit(toBytes - fromBytes, toMs - fromMs);
}

async function download(target: string, seconds: number, skip: number): Promise<number> {
  const socket = await connect(target, SOURCE_PORT);
  const start = now();
  const measureFrom = start + skip * 1000;
  const end = start + (skip + seconds) * 1000;
  let bytes = 0;
  let first = 0;
  let last = 0;
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      const t = now();
      if (t < measureFrom) return;
      if (first === 0) first = t;
      bytes += d.length;
      last = t;
      if (t >= end) {
        socket.destroy();
        resolve();
      }
    });
  });
  return mbit(bytes, last - first);
}

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => resolve(socket));
    socket.once('error', reject);
  });
}
