import dgram from 'node:dgram';
import net from 'node:net';
import { ECHO_PORT } from '../common/echo.js';
import { record, log } from '../common/records.js';
import { numberArg, stringArg, type Workload } from './workload.js';

// Round-trip times to a peer's echo service, one stop-and-wait sample at a time, so each sample
// is one RTT of the path and nothing else: udp_rtt (a datagram and its echo), tcp_connect (the
// SYN / SYN-ACK exchange) and tcp_rtt (a segment and its echo on an open, Nagle-free connection).
// Arguments: target, count (10), size (64 bytes), interval (10 ms), timeout (1000 ms), port (7),
// tcp (true; false measures UDP only).

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export const probe: Workload = {
  name: 'probe',
  async run(args) {
    const target = stringArg(args, 'target');
    const count = numberArg(args, 'count', 10);
    const size = numberArg(args, 'size', 64);
    const timeoutMs = numberArg(args, 'timeout', 1000);
    const intervalMs = numberArg(args, 'interval', 10);
    const port = numberArg(args, 'port', ECHO_PORT);
    log(`probe ${target}:${port} count=${count} size=${size}`);
    // One unrecorded exchange first, so ARP and the first-connection costs are not measured.
    await udpProbe({ target, port, count: 1, size, timeoutMs, intervalMs }, false);
    await udpProbe({ target, port, count, size, timeoutMs, intervalMs });
    if (args.tcp !== false) await tcpProbe({ target, port, count, size, timeoutMs, intervalMs });
  },
};

interface ProbeOptions { target: string; port: number; count: number; size: number; timeoutMs: number; intervalMs: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function udpProbe(o: ProbeOptions, report = true): Promise<void> {
  const socket = dgram.createSocket('udp4');
  let lost = 0;
  try {
    for (let seq = 1; seq <= o.count; seq++) {
      const payload = Buffer.alloc(o.size);
      payload.writeUInt32BE(seq, 0);
      const rtt = await new Promise<number | undefined>((resolve) => {
        const sent = now();
        const timer = setTimeout(() => { socket.off('message', onMessage); resolve(undefined); }, o.timeoutMs);
        function onMessage(msg: Buffer) {
          if (msg.length < 4 || msg.readUInt32BE(0) !== seq) return; // a late echo of an earlier probe
          clearTimeout(timer);
          socket.off('message', onMessage);
          resolve(now() - sent);
        }
        socket.on('message', onMessage);
        socket.send(payload, o.port, o.target);
      });
      if (rtt === undefined) lost++;
      // A lost probe is a row too, so a timeline shows when losses happened, not only how many.
      if (report) record(rtt === undefined ? 'udp_lost' : 'udp_rtt', rtt === undefined ? 1 : round(rtt), rtt === undefined ? 'probe' : 'ms', { peer: o.target, seq });
      await sleep(o.intervalMs);
    }
  } finally {
    socket.close();
  }
  if (report) record('udp_loss', round((100 * lost) / o.count), '%', { peer: o.target });
}

async function tcpProbe(o: ProbeOptions): Promise<void> {
  for (let seq = 1; seq <= o.count; seq++) {
    const started = now();
    const socket = await connect(o);
    record('tcp_connect', round(now() - started), 'ms', { peer: o.target, seq });
    socket.destroy();
    await sleep(o.intervalMs);
  }
  const socket = await connect(o);
  socket.setNoDelay(true);
  try {
    for (let seq = 1; seq <= o.count; seq++) {
      const payload = Buffer.alloc(o.size, seq % 256);
      const started = now();
      await new Promise<void>((resolve, reject) => {
        let received = 0;
        const timer = setTimeout(() => reject(new Error(`tcp echo from ${o.target} timed out after ${o.timeoutMs} ms`)), o.timeoutMs);
        const onData = (d: Buffer) => {
          received += d.length;
          if (received >= o.size) { clearTimeout(timer); socket.off('data', onData); resolve(); }
        };
        socket.on('data', onData);
        socket.write(payload);
      });
      record('tcp_rtt', round(now() - started), 'ms', { peer: o.target, seq });
      await sleep(o.intervalMs);
    }
  } finally {
    socket.destroy();
  }
}

function connect(o: ProbeOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: o.target, port: o.port });
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`tcp connect to ${o.target}:${o.port} timed out after ${o.timeoutMs} ms`)); }, o.timeoutMs);
    socket.once('connect', () => { clearTimeout(timer); resolve(socket); });
    socket.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
