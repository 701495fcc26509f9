import { describe, expect, it } from 'vitest';
import { Attr, Method, crc32, decodeChannelData, decodeStun, encodeChannelData, encodeStun, errorCode, isStun, messageType, readErrorCode, readXorAddress, xorAddress } from '../../../images/agent/src/nat/stun.js';

const tx = Buffer.from('b7e7a701bc34d686fa87dfae', 'hex');

describe('STUN message codec (RFC 5389 / 8656)', () => {
  it('packs method and class into the type as the RFC lays them out', () => {
    expect(messageType(Method.Binding, 'request')).toBe(0x0001);
    expect(messageType(Method.Binding, 'success')).toBe(0x0101);
    expect(messageType(Method.Binding, 'error')).toBe(0x0111);
    expect(messageType(Method.Allocate, 'request')).toBe(0x0003);
    expect(messageType(Method.Send, 'indication')).toBe(0x0016);
    expect(messageType(Method.Data, 'indication')).toBe(0x0017);
    expect(messageType(Method.ChannelBind, 'success')).toBe(0x0109);
  });

  it('encodes XOR-MAPPED-ADDRESS exactly as RFC 5769 §2.2 does (192.0.2.1:32853)', () => {
    const attr = xorAddress(Attr.XorMappedAddress, { address: '192.0.2.1', port: 32853 });
    expect(attr.value.toString('hex')).toBe('0001a147e112a643');
  });

  it('round-trips a message with attributes, padding and FINGERPRINT', () => {
    const data = encodeStun({ method: Method.Allocate, cls: 'success', transactionId: tx, attributes: [xorAddress(Attr.XorRelayedAddress, { address: '10.0.0.9', port: 49152 }), { type: Attr.Software, value: Buffer.from('abc') }] }, { fingerprint: true });
    expect(data.length % 4).toBe(0);
    expect(data.readUInt32BE(4)).toBe(0x2112a442);
    const m = decodeStun(data)!;
    expect(m).toMatchObject({ method: Method.Allocate, cls: 'success' });
    expect(m.transactionId.equals(tx)).toBe(true);
    expect(readXorAddress(m, Attr.XorRelayedAddress)).toEqual({ address: '10.0.0.9', port: 49152 });
    expect(m.attributes.find((a) => a.type === Attr.Software)!.value.toString()).toBe('abc');
    // The FINGERPRINT is the CRC-32 of what precedes it XOR 0x5354554e: one flipped bit and it is not STUN.
    const corrupt = Buffer.from(data);
    corrupt[25] = corrupt[25]! ^ 1;
    expect(decodeStun(corrupt)).toBeUndefined();
  });

  it('computes CRC-32 as zlib does', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('reads error codes', () => {
    const m = decodeStun(encodeStun({ method: Method.Allocate, cls: 'error', transactionId: tx, attributes: [errorCode(437, 'Allocation Mismatch')] }))!;
    expect(readErrorCode(m)).toEqual({ code: 437, reason: 'Allocation Mismatch' });
  });

  it('tells STUN from other datagrams', () => {
    expect(isStun(Buffer.from('hello world, not stun at all'))).toBe(false);
    expect(isStun(encodeChannelData(0x4000, Buffer.alloc(16)))).toBe(false);
    expect(decodeStun(Buffer.alloc(10))).toBeUndefined();
  });

  it('round-trips ChannelData', () => {
    const data = encodeChannelData(0x4001, Buffer.from('media'));
    expect(data.subarray(0, 4).toString('hex')).toBe('40010005');
    expect(decodeChannelData(data)).toEqual({ channel: 0x4001, data: Buffer.from('media') });
  });
});
