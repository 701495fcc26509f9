import { describe, expect, it } from 'vitest';
import { Directory } from '../../../images/agent/src/nat/directory.js';
import { mediaStats } from '../../../images/agent/src/nat/media.js';
import { Attr, Method, decodeChannelData, decodeStun, encodeChannelData, encodeStun, readErrorCode, readXorAddress, requestedTransport, text, xorAddress, type Address, type StunAttribute } from '../../../images/agent/src/nat/stun.js';
import { TurnServer } from '../../../images/agent/src/nat/turn-server.js';

let n = 0;
const request = (method: number, attributes: StunAttribute[]) => {
  const transactionId = Buffer.alloc(12);
  transactionId.writeUInt32BE(++n, 8);
  return encodeStun({ method, cls: 'request', transactionId, attributes });
};
const alice: Address = { address: '10.0.1.3', port: 5000 };
const bob: Address = { address: '10.0.2.3', port: 6000 };

describe('directory', () => {
  it('answers a Binding with the observed address, registers, looks up, and puts a call through once the callee accepts', () => {
    let now = 0;
    const d = new Directory({ lifetimeMs: 60_000, now: () => now });
    const [binding] = d.handle(request(Method.Binding, [text(Attr.User, 'alice')]), alice);
    expect(readXorAddress(decodeStun(binding!.data)!, Attr.XorMappedAddress)).toEqual(alice);
    d.handle(request(Method.Binding, [text(Attr.User, 'bob')]), bob);
    const [found] = d.handle(request(Method.Lookup, [text(Attr.User, 'bob')]), alice);
    expect(readXorAddress(decodeStun(found!.data)!, Attr.XorPeerAddress)).toEqual(bob);
    expect(readErrorCode(decodeStun(d.handle(request(Method.Lookup, [text(Attr.User, 'nobody')]), alice)[0]!.data)!)?.code).toBe(404);
    // Connect: forwarded to bob, naming alice's observed address; alice hears back only when bob accepts.
    const connect = request(Method.Connect, [text(Attr.User, 'bob'), text(Attr.Call, '7 hole-punch alice')]);
    const [ask] = d.handle(connect, alice);
    expect(ask!.to).toEqual(bob);
    const asked = decodeStun(ask!.data)!;
    expect(readXorAddress(asked, Attr.XorPeerAddress)).toEqual(alice);
    expect(d.handle(connect, alice)[0]!.to).toEqual(bob); // a retransmission asks again
    const movedBob = { ...bob, port: 6001 };
    const [answer] = d.handle(encodeStun({ method: Method.Connect, cls: 'success', transactionId: asked.transactionId, attributes: [] }), movedBob);
    expect(answer!.to).toEqual(alice);
    expect(readXorAddress(decodeStun(answer!.data)!, Attr.XorPeerAddress)).toEqual(movedBob);
    now = 61_000;
    expect(d.handle(request(Method.Lookup, [text(Attr.User, 'bob')]), alice).map((o) => readErrorCode(decodeStun(o.data)!)?.code)).toEqual([404]);
  });
});

describe('TURN relay', () => {
  function relay() {
    const toClients: { data: Buffer; to: Address }[] = [];
    const toPeers: { data: Buffer; to: Address }[] = [];
    let deliver: (data: Buffer, from: Address) => void = () => {};
    const server = new TurnServer({
      send: (data, to) => toClients.push({ data, to }),
      openRelay: async (onPeerData, options) => {
        deliver = onPeerData;
        return { port: options.evenPort ? 50000 : 50001, send: (data, to) => toPeers.push({ data, to }), close: () => {} };
      },
      now: () => 0,
      relayAddress: '10.0.9.9',
      lifetimeMs: 600_000,
    });
    const last = () => decodeStun(toClients.at(-1)!.data)!;
    return { server, toClients, toPeers, last, fromPeer: (data: Buffer, from: Address) => deliver(data, from) };
  }

  it('allocates, and relays Send indications and ChannelData only to permitted peers', async () => {
    const r = relay();
    await r.server.handle(request(Method.Allocate, [requestedTransport(17)]), alice);
    expect(r.last().cls).toBe('success');
    expect(readXorAddress(r.last(), Attr.XorRelayedAddress)).toEqual({ address: '10.0.9.9', port: 50001 });
    expect(readXorAddress(r.last(), Attr.XorMappedAddress)).toEqual(alice);
    const send = encodeStun({ method: Method.Send, cls: 'indication', transactionId: Buffer.alloc(12), attributes: [xorAddress(Attr.XorPeerAddress, bob), { type: Attr.Data, value: Buffer.from('hi') }] });
    await r.server.handle(send, alice);
    expect(r.toPeers).toHaveLength(0); // no permission yet
    r.fromPeer(Buffer.from('sneaky'), bob);
    expect(r.toClients).toHaveLength(1);
    await r.server.handle(request(Method.CreatePermission, [xorAddress(Attr.XorPeerAddress, { address: bob.address, port: 0 })]), alice);
    await r.server.handle(send, alice);
    expect(r.toPeers).toEqual([{ data: Buffer.from('hi'), to: bob }]);
    r.fromPeer(Buffer.from('back'), { ...bob, port: 7777 }); // permissions are by IP: any port of bob's
    const data = r.last();
    expect(data).toMatchObject({ method: Method.Data, cls: 'indication' });
    expect(readXorAddress(data, Attr.XorPeerAddress)).toEqual({ ...bob, port: 7777 });
    await r.server.handle(request(Method.ChannelBind, [{ type: Attr.ChannelNumber, value: Buffer.from([0x40, 0x01, 0, 0]) }, xorAddress(Attr.XorPeerAddress, bob)]), alice);
    expect(r.last().cls).toBe('success');
    await r.server.handle(encodeChannelData(0x4001, Buffer.from('cd')), alice);
    expect(r.toPeers.at(-1)).toEqual({ data: Buffer.from('cd'), to: bob });
    r.fromPeer(Buffer.from('cd-back'), bob);
    expect(decodeChannelData(r.toClients.at(-1)!.data)).toEqual({ channel: 0x4001, data: Buffer.from('cd-back') });
    expect(r.server.counters).toMatchObject({ allocations: 1, packetsToPeers: 2, packetsFromPeers: 2 });
  });

  it('answers as RFC 8656 says: 437 on a second allocation or without one, 442/420/508 for what it does not do, Refresh 0 frees', async () => {
    const r = relay();
    const code = () => readErrorCode(r.last())?.code;
    await r.server.handle(request(Method.CreatePermission, [xorAddress(Attr.XorPeerAddress, bob)]), alice);
    expect(code()).toBe(437);
    await r.server.handle(request(Method.Allocate, [requestedTransport(6)]), alice);
    expect(code()).toBe(442);
    await r.server.handle(request(Method.Allocate, [requestedTransport(17), { type: Attr.DontFragment, value: Buffer.alloc(0) }]), alice);
    expect(code()).toBe(420);
    await r.server.handle(request(Method.Allocate, [requestedTransport(17), { type: Attr.EvenPort, value: Buffer.from([0x80]) }]), alice);
    expect(code()).toBe(508);
    await r.server.handle(request(Method.Allocate, [requestedTransport(17), { type: Attr.EvenPort, value: Buffer.from([0]) }]), alice);
    expect(readXorAddress(r.last(), Attr.XorRelayedAddress)?.port).toBe(50000);
    await r.server.handle(request(Method.Allocate, [requestedTransport(17)]), alice);
    expect(code()).toBe(437);
    await r.server.handle(request(Method.Refresh, [{ type: Attr.Lifetime, value: Buffer.alloc(4) }]), alice);
    expect(r.last().cls).toBe('success');
    expect(r.server.active).toBe(0);
  });
});

describe('media stats', () => {
  it('counts loss and takes jitter as the mean |ΔRTT| of consecutive answers', () => {
    expect(mediaStats(4, [10, undefined, 14, 12])).toMatchObject({ sent: 4, received: 3, lossPct: 25, rttMeanMs: 12, rttMinMs: 10, rttP50Ms: 12, rttMaxMs: 14, jitterMs: 3 });
    expect(mediaStats(2, [undefined, undefined])).toEqual({ sent: 2, received: 0, lossPct: 100 });
  });
});
