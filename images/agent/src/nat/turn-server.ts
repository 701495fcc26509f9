// The relay: a subset of TURN (RFC 8656) over UDP, without authentication (a lab has no one to
// keep out). A client behind any NAT allocates a relayed transport address on the relay; peers
// it has given permission to (by IP, as the RFC says) reach it there, and it reaches them from
// there. Supported: Allocate (UDP), Refresh, CreatePermission, ChannelBind, Send and Data
// indications, ChannelData, and Binding. Refused as RFC 8656 says a server without them must:
// other transports (442), IPv6 relayed addresses (440), EVEN-PORT with its R bit (reserving
// the next port: 508), RESERVATION-TOKEN / DONT-FRAGMENT and any other unknown
// comprehension-required attribute (420). Clock and sockets are injected.
import { Attr, CHANNEL_MIN, CHANNEL_MAX, Method, addressKey, decodeChannelData, decodeStun, encodeChannelData, encodeStun, errorCode, isChannelData, readU32, readXorAddress, text, u32, xorAddress, type Address, type StunAttribute, type StunMessage } from './stun.js';

export interface RelaySocket {
  port: number;
  send(data: Buffer, to: Address): void;
  close(): void;
}

export interface TurnDeps {
  /** Sends from the relay's listening port (to clients). */
  send(data: Buffer, to: Address): void;
  /** Opens a relayed transport address; datagrams arriving on it go to `onPeerData`. */
  openRelay(onPeerData: (data: Buffer, from: Address) => void, options: { evenPort: boolean }): Promise<RelaySocket>;
  now(): number;
  /** The address put in XOR-RELAYED-ADDRESS: the relay's own, on the lab network. */
  relayAddress: string;
  /** Default allocation lifetime (and the most a client may ask for is max(this, 3600 s)). */
  lifetimeMs: number;
}

interface Allocation {
  client: Address;
  relay: RelaySocket;
  tx: string;
  expires: number;
  permissions: Map<string, number>; // peer IP -> expiry
  channels: Map<number, { peer: Address; expires: number }>;
}

const PERMISSION_MS = 300_000;
const CHANNEL_MS = 600_000;
const KNOWN_REQUIRED: Set<number> = new Set([Attr.Username, Attr.MessageIntegrity, Attr.ErrorCode, Attr.ChannelNumber, Attr.Lifetime, Attr.XorPeerAddress, Attr.Data, Attr.Realm, Attr.Nonce, Attr.RequestedTransport, Attr.RequestedAddressFamily, Attr.EvenPort, Attr.XorMappedAddress, Attr.MappedAddress]);

export class TurnServer {
  private readonly allocations = new Map<string, Allocation>();
  readonly counters = { allocations: 0, bytesToPeers: 0, bytesFromPeers: 0, packetsToPeers: 0, packetsFromPeers: 0 };

  constructor(private readonly deps: TurnDeps) {}

  get active(): number {
    return this.allocations.size;
  }

  async handle(data: Buffer, from: Address): Promise<void> {
    this.expire();
    const allocation = this.allocations.get(addressKey(from));
    if (isChannelData(data)) {
      const cd = decodeChannelData(data)!;
      const channel = allocation?.channels.get(cd.channel);
      if (allocation && channel) this.toPeer(allocation, cd.data, channel.peer);
      return;
    }
    const m = decodeStun(data);
    if (!m) return;
    if (m.cls === 'indication') {
      if (m.method !== Method.Send || !allocation) return;
      const peer = readXorAddress(m, Attr.XorPeerAddress);
      const payload = m.attributes.find((a) => a.type === Attr.Data)?.value;
      if (peer && payload) this.toPeer(allocation, payload, peer);
      return;
    }
    if (m.cls !== 'request') return;
    const unknown = m.attributes.map((a) => a.type).filter((t) => t < 0x8000 && !KNOWN_REQUIRED.has(t));
    if (unknown.length > 0) {
      const value = Buffer.alloc(unknown.length * 2);
      unknown.forEach((t, i) => value.writeUInt16BE(t, i * 2));
      return this.answer(m, from, 'error', [errorCode(420, `Unknown Attribute ${unknown.map((t) => `0x${t.toString(16).padStart(4, '0')}`).join(' ')}`), { type: Attr.UnknownAttributes, value }]);
    }
    switch (m.method) {
      case Method.Binding:
        return this.answer(m, from, 'success', [xorAddress(Attr.XorMappedAddress, from)]);
      case Method.Allocate:
        return this.allocate(m, from, allocation);
      case Method.Refresh:
        if (!allocation) return this.mismatch(m, from);
        return this.refresh(m, from, allocation);
      case Method.CreatePermission:
        if (!allocation) return this.mismatch(m, from);
        return this.createPermission(m, from, allocation);
      case Method.ChannelBind:
        if (!allocation) return this.mismatch(m, from);
        return this.channelBind(m, from, allocation);
      default:
        return this.answer(m, from, 'error', [errorCode(400, 'Bad Request: method not supported')]);
    }
  }

  /** Closes every allocation (the relay is stopping). */
  close(): void {
    for (const a of this.allocations.values()) a.relay.close();
    this.allocations.clear();
  }

  private async allocate(m: StunMessage, from: Address, existing: Allocation | undefined): Promise<void> {
    if (existing) {
      // A retransmitted Allocate gets the same answer; another one on a live 5-tuple is a mismatch.
      if (existing.tx === m.transactionId.toString('hex')) return this.allocated(m, existing);
      return this.mismatch(m, from);
    }
    const transport = m.attributes.find((a) => a.type === Attr.RequestedTransport)?.value;
    if (!transport) return this.answer(m, from, 'error', [errorCode(400, 'Bad Request: REQUESTED-TRANSPORT missing')]);
    if (transport[0] !== 17) return this.answer(m, from, 'error', [errorCode(442, 'Unsupported Transport Protocol')]);
    const family = m.attributes.find((a) => a.type === Attr.RequestedAddressFamily)?.value[0];
    if (family !== undefined && family !== 0x01) return this.answer(m, from, 'error', [errorCode(440, 'Address Family not Supported')]);
    const evenPort = m.attributes.find((a) => a.type === Attr.EvenPort)?.value;
    if (evenPort && (evenPort[0]! & 0x80) !== 0) return this.answer(m, from, 'error', [errorCode(508, 'Insufficient Capacity: ports are not reserved')]);
    const key = addressKey(from);
    const allocation: Allocation = {
      client: from,
      relay: await this.deps.openRelay((data, peer) => this.fromPeer(key, data, peer), { evenPort: evenPort !== undefined }),
      tx: m.transactionId.toString('hex'),
      expires: this.deps.now() + this.lifetime(m),
      permissions: new Map(),
      channels: new Map(),
    };
    this.allocations.set(key, allocation);
    this.counters.allocations++;
    return this.allocated(m, allocation);
  }

  private allocated(m: StunMessage, a: Allocation): void {
    const lifetime = Math.round((a.expires - this.deps.now()) / 1000);
    this.answer(m, a.client, 'success', [xorAddress(Attr.XorRelayedAddress, { address: this.deps.relayAddress, port: a.relay.port }), u32(Attr.Lifetime, lifetime), xorAddress(Attr.XorMappedAddress, a.client)]);
  }

  private refresh(m: StunMessage, from: Address, a: Allocation): void {
    const requested = readU32(m, Attr.Lifetime);
    if (requested === 0) {
      a.relay.close();
      this.allocations.delete(addressKey(from));
      return this.answer(m, from, 'success', [u32(Attr.Lifetime, 0)]);
    }
    a.expires = this.deps.now() + this.lifetime(m);
    this.answer(m, from, 'success', [u32(Attr.Lifetime, Math.round(this.lifetime(m) / 1000))]);
  }

  private createPermission(m: StunMessage, from: Address, a: Allocation): void {
    const peers = m.attributes.filter((x) => x.type === Attr.XorPeerAddress).map((x) => readXorAddress({ ...m, attributes: [x] }, Attr.XorPeerAddress));
    if (peers.length === 0 || peers.some((p) => p === undefined)) return this.answer(m, from, 'error', [errorCode(400, 'Bad Request: XOR-PEER-ADDRESS missing')]);
    for (const peer of peers) a.permissions.set(peer!.address, this.deps.now() + PERMISSION_MS);
    this.answer(m, from, 'success', []);
  }

  private channelBind(m: StunMessage, from: Address, a: Allocation): void {
    const channel = m.attributes.find((x) => x.type === Attr.ChannelNumber)?.value.readUInt16BE(0);
    const peer = readXorAddress(m, Attr.XorPeerAddress);
    if (channel === undefined || channel < CHANNEL_MIN || channel > CHANNEL_MAX || !peer) return this.answer(m, from, 'error', [errorCode(400, 'Bad Request: CHANNEL-NUMBER 0x4000-0x7FFF and XOR-PEER-ADDRESS needed')]);
    const bound = a.channels.get(channel);
    const other = [...a.channels].find(([n, c]) => n !== channel && addressKey(c.peer) === addressKey(peer));
    if ((bound && addressKey(bound.peer) !== addressKey(peer)) || other) return this.answer(m, from, 'error', [errorCode(400, 'Bad Request: channel or peer already bound')]);
    const now = this.deps.now();
    a.channels.set(channel, { peer, expires: now + CHANNEL_MS });
    a.permissions.set(peer.address, now + PERMISSION_MS);
    this.answer(m, from, 'success', []);
  }

  private toPeer(a: Allocation, data: Buffer, peer: Address): void {
    if ((a.permissions.get(peer.address) ?? 0) <= this.deps.now()) return;
    this.counters.bytesToPeers += data.length;
    this.counters.packetsToPeers++;
    a.relay.send(data, peer);
  }

  private fromPeer(key: string, data: Buffer, peer: Address): void {
    const a = this.allocations.get(key);
    if (!a || (a.permissions.get(peer.address) ?? 0) <= this.deps.now()) return;
    this.counters.bytesFromPeers += data.length;
    this.counters.packetsFromPeers++;
    const channel = [...a.channels].find(([, c]) => addressKey(c.peer) === addressKey(peer))?.[0];
    if (channel !== undefined) return this.deps.send(encodeChannelData(channel, data), a.client);
    const indication: StunMessage = { method: Method.Data, cls: 'indication', transactionId: randomTx(), attributes: [xorAddress(Attr.XorPeerAddress, peer), { type: Attr.Data, value: data }] };
    this.deps.send(encodeStun(indication), a.client);
  }

  private lifetime(m: StunMessage): number {
    const requested = readU32(m, Attr.Lifetime);
    const max = Math.max(this.deps.lifetimeMs, 3_600_000);
    return requested === undefined ? this.deps.lifetimeMs : Math.min(Math.max(requested * 1000, 1000), max);
  }

  private mismatch(m: StunMessage, from: Address): void {
    this.answer(m, from, 'error', [errorCode(437, 'Allocation Mismatch')]);
  }

  private answer(m: StunMessage, to: Address, cls: 'success' | 'error', attributes: StunAttribute[]): void {
    const message: StunMessage = { method: m.method, cls, transactionId: m.transactionId, attributes: [...attributes, text(Attr.Software, 'emunet relay')] };
    this.deps.send(encodeStun(message, { fingerprint: true }), to);
  }

  private expire(): void {
    const now = this.deps.now();
    for (const [key, a] of this.allocations) {
      if (a.expires <= now) {
        a.relay.close();
        this.allocations.delete(key);
        continue;
      }
      for (const [ip, until] of a.permissions) if (until <= now) a.permissions.delete(ip);
      for (const [n, c] of a.channels) if (c.expires <= now) a.channels.delete(n);
    }
  }
}

// Data indications need a transaction id but no answer; its value only has to be well formed.
let txCounter = 0;
function randomTx(): Buffer {
  const tx = Buffer.alloc(12);
  tx.writeUInt32BE(++txCounter >>> 0, 8);
  return tx;
}
