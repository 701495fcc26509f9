// A peer of the call lab, on one UDP port: it registers its user name with the directory (and
// refreshes it, which also keeps its NAT's mapping to the directory alive), answers calls the
// directory puts through — punching towards the caller, or greeting the caller's relay — and
// echoes every media ping. The calling side is caller.ts.
import dgram from 'node:dgram';
import { decodeMedia, encodeMedia, pongFor, type MediaPacket } from './media.js';
import { Attr, Method, decodeStun, encodeStun, readErrorCode, readText, readXorAddress, text, u32, xorAddress, type Address, type StunMessage } from './stun.js';
import { StunTransport } from './transactions.js';

export type CallMode = 'direct' | 'hole-punch' | 'relay';
export type Connected = { ok: true; address: Address } | { ok: false; reason: string };

/** The CALL attribute: call id, what the callee should do, and who calls. */
export const callAttribute = (call: number, mode: CallMode, from: string) => text(Attr.Call, `${call} ${mode} ${from}`);
export function readCall(m: StunMessage): { call: number; mode: CallMode; from: string } | undefined {
  const [call, mode, from] = (readText(m, Attr.Call) ?? '').split(' ');
  return call && (mode === 'direct' || mode === 'hole-punch' || mode === 'relay') && from ? { call: Number(call), mode, from } : undefined;
}

const ANSWER_WINDOW_MS = 4000;

export class CallPeer {
  readonly transport: StunTransport;
  publicAddress?: Address;
  private readonly media = new Set<(p: MediaPacket, from: Address) => void>();
  private readonly bindings = new Set<(m: StunMessage, from: Address) => void>();
  private readonly answered = new Set<string>();
  private timer?: NodeJS.Timeout;

  private constructor(socket: dgram.Socket, readonly user: string, readonly directory: Address, private readonly log: (m: string) => void) {
    this.transport = new StunTransport(socket, (data, from) => this.receive(data, from));
  }

  static async open(port: number, user: string, directory: Address, log: (m: string) => void): Promise<CallPeer> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, resolve);
    });
    return new CallPeer(socket, user, directory, log);
  }

  /** One registration (a Binding with USER); the observed address, or undefined without an answer. */
  async register(lifetimeS: number, timeoutMs = 2000): Promise<Address | undefined> {
    const answer = await this.transport.request(this.directory, Method.Binding, [text(Attr.User, this.user), u32(Attr.Lifetime, lifetimeS)], { timeoutMs });
    const observed = answer && readXorAddress(answer.message, Attr.XorMappedAddress);
    if (observed && (observed.address !== this.publicAddress?.address || observed.port !== this.publicAddress.port)) this.log(`call-peer: ${this.user} registered as ${observed.address}:${observed.port}`);
    if (observed) this.publicAddress = observed;
    return observed;
  }

  keepRegistered(everyMs: number): void {
    const lifetimeS = Math.max(1, Math.ceil((3 * everyMs) / 1000));
    this.timer = setInterval(() => void this.register(lifetimeS, everyMs), everyMs);
  }

  /** Asks the directory to put a call through; resolves with the callee's address once it accepted. */
  async connect(callee: string, call: number, mode: CallMode, timeoutMs: number, relayed?: Address): Promise<Connected> {
    const attrs = [text(Attr.User, callee), callAttribute(call, mode, this.user), ...(relayed ? [xorAddress(Attr.XorRelayedAddress, relayed)] : [])];
    const answer = await this.transport.request(this.directory, Method.Connect, attrs, { timeoutMs, rtoMs: 500 });
    if (!answer) return { ok: false, reason: 'no-answer' };
    const address = readXorAddress(answer.message, Attr.XorPeerAddress);
    if (answer.message.cls === 'success' && address) return { ok: true, address };
    const error = readErrorCode(answer.message);
    return { ok: false, reason: error ? `${error.code}` : 'bad-answer' };
  }

  onMedia(listener: (p: MediaPacket, from: Address) => void): () => void {
    this.media.add(listener);
    return () => this.media.delete(listener);
  }

  onBinding(listener: (m: StunMessage, from: Address) => void): () => void {
    this.bindings.add(listener);
    return () => this.bindings.delete(listener);
  }

  send(data: Buffer, to: Address): void {
    this.transport.send(data, to);
  }

  stop(): void {
    clearInterval(this.timer);
    this.transport.socket.close();
  }

  private receive(data: Buffer, from: Address): void {
    const packet = decodeMedia(data);
    if (packet) {
      if (packet.kind === 'ping') this.send(pongFor(data), from);
      for (const listener of this.media) listener(packet, from);
      return;
    }
    const m = decodeStun(data);
    if (!m || m.cls !== 'request') return;
    if (m.method === Method.Binding) {
      // Peers answer each other's connectivity checks like a STUN server (as ICE agents do).
      this.send(encodeStun({ method: Method.Binding, cls: 'success', transactionId: m.transactionId, attributes: [xorAddress(Attr.XorMappedAddress, from)] }), from);
      for (const listener of this.bindings) listener(m, from);
    } else if (m.method === Method.Connect) {
      this.send(encodeStun({ method: Method.Connect, cls: 'success', transactionId: m.transactionId, attributes: [] }), from);
      this.incoming(m);
    }
  }

  /** A call the directory put through: act once per request, however often it is retransmitted. */
  private incoming(m: StunMessage): void {
    const key = m.transactionId.toString('hex');
    const call = readCall(m);
    const caller = readXorAddress(m, Attr.XorPeerAddress);
    if (this.answered.has(key) || !call || !caller) return;
    this.answered.add(key);
    this.log(`call-peer: ${this.user}: call ${call.call} from ${call.from} at ${caller.address}:${caller.port}, ${call.mode}`);
    if (call.mode === 'hole-punch') {
      // Our own checks open our NAT towards the caller's mapping while the caller's open theirs.
      void this.transport.request(caller, Method.Binding, [callAttribute(call.call, call.mode, this.user)], { timeoutMs: ANSWER_WINDOW_MS, rtoMs: 20 });
    } else if (call.mode === 'relay') {
      const relayed = readXorAddress(m, Attr.XorRelayedAddress);
      if (relayed) this.greet(relayed, call.call);
    }
  }

  /** Sends hellos to the caller's relayed address until the caller's media comes back from it. */
  private greet(relayed: Address, call: number): void {
    let seq = 0;
    const hello = setInterval(() => this.send(encodeMedia({ kind: 'hello', call, seq: seq++, sentAt: 0 }), relayed), 20);
    const stop = () => {
      clearInterval(hello);
      clearTimeout(deadline);
      unsubscribe();
    };
    const deadline = setTimeout(stop, ANSWER_WINDOW_MS);
    const unsubscribe = this.onMedia((p, from) => {
      if (p.call === call && from.address === relayed.address && from.port === relayed.port) stop();
    });
  }
}
