// A call's media: G.711-sized RTP packets every 20 ms to the peer's SDP address, and the
// statistics of what arrives from it, on one UDP socket.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { decodeRtp, encodeRtp, PACKET_MS, ReceiverStats, SAMPLE_RATE, voicePayload, type ReceiverReport } from './rtp.js';

const hostNs = (): bigint => process.hrtime.bigint();
const hostMs = (): number => Number(hostNs()) / 1e6;

export interface MediaReport extends ReceiverReport { sent: number }

export class MediaSession {
  private readonly stats = new ReceiverStats();
  private timer?: NodeJS.Timeout;
  private sent = 0;

  private constructor(private readonly socket: dgram.Socket, readonly port: number) {
    socket.on('message', (data) => {
      const packet = decodeRtp(data);
      if (packet) this.stats.receive(packet, hostMs(), hostNs());
    });
    socket.on('error', () => undefined); // ICMP errors from a peer that stopped listening are not ours to report
  }

  /** Binds an ephemeral port on `address` (the port goes into the SDP). */
  static open(address: string): Promise<MediaSession> {
    const socket = dgram.createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve(new MediaSession(socket, socket.address().port)));
    });
  }

  /** Starts sending to the peer; a second call is ignored. */
  start(to: { address: string; port: number }, payloadType: number): void {
    if (this.timer !== undefined) return;
    const ssrc = randomInt(0x100000000);
    const firstSeq = randomInt(0x10000);
    const firstTs = randomInt(0x100000000);
    const started = hostMs();
    const tick = (n: number) => {
      const now = hostMs();
      // The timestamp is the real sending instant in samples, not n·160: a timer that wakes late
      // would otherwise show up as network jitter at the receiver.
      const timestamp = (firstTs + Math.round(((now - started) * SAMPLE_RATE) / 1000)) >>> 0;
      const packet = encodeRtp({ payloadType, marker: n === 0, sequence: (firstSeq + n) & 0xffff, timestamp, ssrc, payload: voicePayload(hostNs()) });
      this.socket.send(packet, to.port, to.address);
      this.sent++;
      // Aim at start + (n+1)·20 ms, so lateness does not accumulate.
      this.timer = setTimeout(() => tick(n + 1), Math.max(0, started + (n + 1) * PACKET_MS - hostMs()));
    };
    tick(0);
  }

  stopSending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  close(): MediaReport {
    this.stopSending();
    this.socket.close();
    return { ...this.stats.report(), sent: this.sent };
  }
}
