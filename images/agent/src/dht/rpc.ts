// JSON over UDP: one datagram per request, one per reply, matched by a request number. A
// request not answered within its timeout rejects with PeerUnreachableError (for the DHT, the
// peer is dead); a reply carrying an error rejects with PeerError.
import dgram from 'node:dgram';
import { PeerError, PeerUnreachableError, type Op, type ReplyOf, type RequestOf, type Transport } from './messages.js';

/** The largest UDP payload; item hand-overs are batched (store.ts) to stay well below it. */
const MAX_DATAGRAM = 65_507;

type Handler = (request: unknown) => Promise<unknown>;

interface Pending {
  resolve(reply: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Envelope {
  rpc?: number;
  request?: unknown;
  ok?: boolean;
  reply?: unknown;
  error?: string;
}

export class UdpRpc implements Transport {
  private next = 1;
  private closed = false;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly socket: dgram.Socket, private readonly handler: Handler | undefined) {
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    // A datagram to a vanished peer may come back as an ICMP error on some stacks: not fatal.
    socket.on('error', () => undefined);
  }

  /** Binds `port` (0: any) on `address`; with a handler it also answers requests. */
  static open(o: { port?: number; address?: string; handler?: Handler } = {}): Promise<UdpRpc> {
    // Room for bursts: a hundred peers answering at once must not overflow the default buffer.
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(o.port ?? 0, o.address, () => {
        socket.off('error', reject);
        resolve(new UdpRpc(socket, o.handler));
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  call<K extends Op>(to: { host: string; port: number }, op: K, body: RequestOf<K>, timeoutMs: number): Promise<ReplyOf<K>> {
    if (this.closed) return Promise.reject(new PeerUnreachableError(`cannot send ${op}: the socket is closed`));
    const rpc = this.next++;
    const data = Buffer.from(JSON.stringify({ rpc, request: { ...body, op } }));
    if (data.length > MAX_DATAGRAM) return Promise.reject(new Error(`${op} request of ${data.length} bytes does not fit one UDP datagram (${MAX_DATAGRAM})`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rpc);
        reject(new PeerUnreachableError(`${to.host}:${to.port} did not answer ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rpc, { resolve: resolve as (r: unknown) => void, reject, timer });
      this.socket.send(data, to.port, to.host, (e) => {
        if (!e) return;
        clearTimeout(timer);
        this.pending.delete(rpc);
        reject(new PeerUnreachableError(`cannot send ${op} to ${to.host}:${to.port}: ${e.message}`));
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new PeerUnreachableError('the socket was closed'));
    }
    this.pending.clear();
    this.socket.close();
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(msg.toString('utf8')) as Envelope;
    } catch {
      return; // not ours: nothing to answer
    }
    if (typeof envelope.rpc !== 'number') return;
    if (envelope.request !== undefined) {
      if (this.handler) void this.answer(envelope.rpc, envelope.request, rinfo);
      return;
    }
    const p = this.pending.get(envelope.rpc);
    if (!p) return; // a late reply to a request that already timed out
    this.pending.delete(envelope.rpc);
    clearTimeout(p.timer);
    if (envelope.ok) p.resolve(envelope.reply);
    else p.reject(new PeerError(envelope.error ?? 'the peer answered with an unspecified error'));
  }

  private async answer(rpc: number, request: unknown, to: dgram.RemoteInfo): Promise<void> {
    let reply: Envelope;
    try {
      reply = { rpc, ok: true, reply: (await this.handler!(request)) ?? null };
    } catch (e) {
      reply = { rpc, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    let data = Buffer.from(JSON.stringify(reply));
    if (data.length > MAX_DATAGRAM) data = Buffer.from(JSON.stringify({ rpc, ok: false, error: `the reply (${data.length} bytes) does not fit one UDP datagram` }));
    if (!this.closed) this.socket.send(data, to.port, to.address);
  }
}
