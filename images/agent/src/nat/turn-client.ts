// The caller's side of a relayed call: one allocation on the relay (RFC 8656, no credentials),
// a permission for the callee's IP, and Send / Data indications to and from the callee.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { Attr, Method, decodeStun, encodeStun, readErrorCode, readXorAddress, requestedTransport, u32, xorAddress, type Address } from './stun.js';
import { StunTransport } from './transactions.js';

export class TurnClient {
  private constructor(private readonly transport: StunTransport, readonly server: Address, readonly relayed: Address, private readonly onData: { handler?: (data: Buffer, peer: Address) => void }) {}

  static async allocate(server: Address, timeoutMs: number): Promise<TurnClient> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    const onData: { handler?: (data: Buffer, peer: Address) => void } = {};
    const transport = new StunTransport(socket, (data) => {
      const m = decodeStun(data);
      if (!m || m.cls !== 'indication' || m.method !== Method.Data) return;
      const peer = readXorAddress(m, Attr.XorPeerAddress);
      const payload = m.attributes.find((a) => a.type === Attr.Data)?.value;
      if (peer && payload) onData.handler?.(payload, peer);
    });
    const answer = (await transport.request(server, Method.Allocate, [requestedTransport(17), u32(Attr.Lifetime, 600)], { timeoutMs }))?.message;
    const relayed = answer?.cls === 'success' ? readXorAddress(answer, Attr.XorRelayedAddress) : undefined;
    if (!relayed) {
      socket.close();
      const error = answer && readErrorCode(answer);
      throw new Error(error ? `the relay refused the allocation: ${error.code} ${error.reason}` : `no answer from the relay ${server.address}:${server.port} within ${timeoutMs} ms`);
    }
    return new TurnClient(transport, server, relayed, onData);
  }

  /** UDP bytes exchanged with the relay since the allocation (TURN framing included). */
  get bytes(): { sent: number; received: number } {
    return { ...this.transport.bytes };
  }

  async permit(peerIp: string, timeoutMs: number): Promise<void> {
    const answer = (await this.transport.request(this.server, Method.CreatePermission, [xorAddress(Attr.XorPeerAddress, { address: peerIp, port: 0 })], { timeoutMs }))?.message;
    if (answer?.cls !== 'success') throw new Error(`the relay did not grant a permission for ${peerIp}${answer ? `: ${readErrorCode(answer)?.code}` : ' (no answer)'}`);
  }

  onPeerData(handler: (data: Buffer, peer: Address) => void): void {
    this.onData.handler = handler;
  }

  sendTo(peer: Address, data: Buffer): void {
    const indication = encodeStun({ method: Method.Send, cls: 'indication', transactionId: randomBytes(12), attributes: [xorAddress(Attr.XorPeerAddress, peer), { type: Attr.Data, value: data }] });
    this.transport.send(indication, this.server);
  }

  /** Releases the allocation (Refresh with LIFETIME 0) and closes the socket. */
  async release(): Promise<void> {
    await this.transport.request(this.server, Method.Refresh, [u32(Attr.Lifetime, 0)], { timeoutMs: 500 });
    this.transport.socket.close();
  }
}
