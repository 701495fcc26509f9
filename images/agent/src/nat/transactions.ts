// STUN client transactions over one UDP socket: a request is retransmitted until its answer
// (success or error, matched by transaction id) arrives or the deadline passes. Everything else
// that arrives on the socket goes to the owner's handler.
import { randomBytes } from 'node:crypto';
import type dgram from 'node:dgram';
import { decodeStun, encodeStun, isStun, type Address, type StunAttribute, type StunMessage } from './stun.js';

export interface Answer { message: StunMessage; from: Address }

export interface RequestOptions { timeoutMs: number; /** Retransmission interval; fixed, since lab paths are short. */ rtoMs?: number }

export class StunTransport {
  private readonly waiting = new Map<string, (answer: Answer) => void>();
  /** UDP bytes sent and received on this socket (for what a relay carries). */
  readonly bytes = { sent: 0, received: 0 };

  constructor(readonly socket: dgram.Socket, private readonly other: (data: Buffer, from: Address) => void) {
    socket.on('message', (data, rinfo) => {
      this.bytes.received += data.length;
      const from = { address: rinfo.address, port: rinfo.port };
      if (isStun(data)) {
        const m = decodeStun(data);
        const resolve = m && (m.cls === 'success' || m.cls === 'error') ? this.waiting.get(m.transactionId.toString('hex')) : undefined;
        if (m && resolve) return resolve({ message: m, from });
      }
      this.other(data, from);
    });
  }

  send(data: Buffer, to: Address): void {
    this.bytes.sent += data.length;
    this.socket.send(data, to.port, to.address);
  }

  /** The answer and where it came from, or undefined when none came in time. */
  request(to: Address, method: number, attributes: StunAttribute[], options: RequestOptions): Promise<Answer | undefined> {
    const transactionId = randomBytes(12);
    const key = transactionId.toString('hex');
    const data = encodeStun({ method, cls: 'request', transactionId, attributes });
    return new Promise((resolve) => {
      const done = (answer: Answer | undefined) => {
        clearInterval(again);
        clearTimeout(deadline);
        this.waiting.delete(key);
        resolve(answer);
      };
      this.waiting.set(key, done);
      this.send(data, to);
      const again = setInterval(() => this.send(data, to), options.rtoMs ?? 250);
      const deadline = setTimeout(() => done(undefined), options.timeoutMs);
    });
  }
}
