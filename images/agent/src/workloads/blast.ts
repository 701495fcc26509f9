import dgram from 'node:dgram';
import { ECHO_PORT } from '../common/echo.js';
import { log, record } from '../common/records.js';
import { numberArg, stringArg, type Workload } from './workload.js';

// A constant-rate UDP load: `rate` datagrams of `size` bytes per second for `seconds`, to the
// target's echo port, which sends every one back (so both directions carry the load).
// Pacing is drift-free: each ~1 ms tick sends what the schedule (start + n / rate, on hrtime)
// says is due by now, so a late timer is made up over the next ticks instead of lowering the
// rate; the catch-up per tick is bounded so a stall does not turn into one long burst.
// Records: blast_sent (packets), blast_rate (achieved packets/s), blast_received (echoes),
// blast_lost (sent - received), blast_rtt_p50 (ms, echoes), blast_cpu (ms of this process's
// CPU while sending), blast_backlog_max (datagrams waiting in Node's send queue at worst).
// Arguments: target, rate (1000), size (100 bytes, at least 12), seconds (3), port (7),
// drain (500 ms to wait for the last echoes).

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const round = (v: number) => Math.round(v * 1000) / 1000;
/** Datagrams allowed to wait in Node's own send queue; beyond it the schedule slips (and the achieved rate shows it). */
const MAX_BACKLOG = 4096;
/**
 * Packets held in an NFQUEUE stay charged to the sending socket, so the default 208 KiB send
 * buffer caps a sender at roughly (buffer / truesize) packets per delay; ask for 4 MiB (the
 * kernel clamps it to net.core.wmem_max) so the generator measures the link, not its own buffer.
 */
const SOCKET_BUFFER = 4 << 20;

export const blast: Workload = {
  name: 'blast',
  async run(args) {
    const target = stringArg(args, 'target');
    const rate = numberArg(args, 'rate', 1000);
    const size = numberArg(args, 'size', 100);
    const seconds = numberArg(args, 'seconds', 3);
    const port = numberArg(args, 'port', ECHO_PORT);
    const drainMs = numberArg(args, 'drain', 500);
    if (rate <= 0 || seconds <= 0 || size < 12) throw new Error('blast needs rate > 0, seconds > 0 and size >= 12');
    const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: SOCKET_BUFFER, recvBufferSize: SOCKET_BUFFER });
    // Connected once: an unconnected send to a name would look it up for every datagram.
    await new Promise<void>((resolve, reject) => { socket.once('error', reject); socket.connect(port, target, () => { socket.off('error', reject); resolve(); }); });
    log(`blast ${target}:${port} rate=${rate}/s size=${size} for ${seconds} s (sndbuf ${socket.getSendBufferSize()} bytes)`);
    const rtts: number[] = [];
    let received = 0;
    socket.on('message', (msg) => {
      if (msg.length < 12) return;
      received++;
      rtts.push(now() - msg.readDoubleBE(4));
    });
    const total = Math.round(rate * seconds);
    const maxBatch = Math.max(1, Math.ceil(rate / 1000)) * 4;
    let sent = 0;
    let backlog = 0;
    let backlogMax = 0;
    let sendErrors = 0;
    const onSent = (e: Error | null) => { backlog--; if (e) sendErrors++; };
    const cpuStart = process.cpuUsage();
    const start = now();
    let lastSend = start;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const t = now();
        const due = Math.min(total, Math.floor(((t - start) * rate) / 1000) + 1);
        const deadline = start + seconds * 1000;
        for (let n = 0; sent < due && n < maxBatch && backlog < MAX_BACKLOG; n++, sent++) {
          const payload = Buffer.alloc(size);
          payload.writeUInt32BE(sent, 0);
          payload.writeDoubleBE(now(), 4);
          backlog++;
          socket.send(payload, onSent);
        }
        lastSend = now();
        backlogMax = Math.max(backlogMax, backlog);
        // The schedule ends at `seconds` whether or not it was met: a slow generator shows as a lower rate.
        if (sent >= total || t >= deadline) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    const sendMs = Math.max(lastSend - start, 1);
    await new Promise((r) => setTimeout(r, drainMs));
    const cpu = process.cpuUsage(cpuStart);
    socket.close();
    rtts.sort((a, b) => a - b);
    record('blast_sent', sent, 'packets', { peer: target });
    record('blast_rate', round((sent * 1000) / sendMs), 'packets/s', { peer: target });
    record('blast_received', received, 'packets', { peer: target });
    record('blast_lost', sent - received, 'packets', { peer: target });
    if (rtts.length > 0) record('blast_rtt_p50', round(rtts[Math.floor(rtts.length / 2)]!), 'ms', { peer: target });
    record('blast_cpu', round((cpu.user + cpu.system) / 1000), 'ms', { peer: target });
    record('blast_backlog_max', backlogMax, 'packets', { peer: target });
    if (sendErrors > 0) record('blast_send_errors', sendErrors, 'packets', { peer: target });
  },
};
