// The STUN message format (RFC 5389 / 8489) and TURN's additions (RFC 8656): a 20-byte header
// (type = method + class, length, magic cookie, 96-bit transaction id) and TLV attributes padded
// to 4 bytes. Pure encode/decode, so the directory, the relay and the peers share one codec and
// real clients (turnutils_uclient, turnutils_stunclient) can talk to them.
import { createHmac } from 'node:crypto';

export const MAGIC_COOKIE = 0x2112a442;
const HEADER = 20;

export const Method = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
  // emunet's presence service (not IANA-registered; in the lab only): look a user up, and ask
  // the directory to put a call through to a registered user (the callee accepts it).
  Lookup: 0x0e1,
  Connect: 0x0e2,
} as const;

export const Attr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  XorMappedAddress: 0x0020,
  ReservationToken: 0x0022,
  Software: 0x8022,
  Fingerprint: 0x8028,
  // emunet presence attributes, in the comprehension-optional range so any STUN server ignores them.
  User: 0xc0e1,
  Call: 0xc0e2,
} as const;

export type StunClass = 'request' | 'indication' | 'success' | 'error';
const CLASS_BITS: Record<StunClass, number> = { request: 0b00, indication: 0b01, success: 0b10, error: 0b11 };

export interface StunAttribute { type: number; value: Buffer }
export interface StunMessage { method: number; cls: StunClass; transactionId: Buffer; attributes: StunAttribute[] }
export interface Address { address: string; port: number }

export function messageType(method: number, cls: StunClass): number {
  const c = CLASS_BITS[cls];
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((c & 1) << 4) | ((c & 2) << 7);
}

function splitType(type: number): { method: number; cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const c = ((type >> 4) & 1) | ((type >> 7) & 2);
  const cls = (Object.keys(CLASS_BITS) as StunClass[]).find((k) => CLASS_BITS[k] === c)!;
  return { method, cls };
}

/** True when the datagram has STUN's shape: top two bits zero, the magic cookie, a consistent length. */
export function isStun(buf: Buffer): boolean {
  return buf.length >= HEADER && (buf[0]! & 0xc0) === 0 && buf.readUInt32BE(4) === MAGIC_COOKIE && buf.readUInt16BE(2) + HEADER === buf.length && buf.readUInt16BE(2) % 4 === 0;
}

export function decodeStun(buf: Buffer): StunMessage | undefined {
  if (!isStun(buf)) return undefined;
  const { method, cls } = splitType(buf.readUInt16BE(0));
  const attributes: StunAttribute[] = [];
  for (let at = HEADER; at + 4 <= buf.length; ) {
    const type = buf.readUInt16BE(at);
    const length = buf.readUInt16BE(at + 2);
    if (at + 4 + length > buf.length) return undefined;
    attributes.push({ type, value: Buffer.from(buf.subarray(at + 4, at + 4 + length)) });
    at += 4 + Math.ceil(length / 4) * 4;
  }
  const fingerprint = attributes.findIndex((a) => a.type === Attr.Fingerprint);
  if (fingerprint >= 0) {
    // FINGERPRINT is last and covers everything before it: a mismatch means "not STUN" (RFC 5389 §7.3).
    const expected = (crc32(buf.subarray(0, buf.length - 8)) ^ 0x5354554e) >>> 0;
    const sent = attributes[fingerprint]!.value;
    if (fingerprint !== attributes.length - 1 || sent.length !== 4 || sent.readUInt32BE(0) !== expected) return undefined;
  }
  return { method, cls, transactionId: Buffer.from(buf.subarray(8, HEADER)), attributes };
}

export interface EncodeOptions {
  /** Append FINGERPRINT (CRC-32 of the message, RFC 5389 §15.5), as coturn's clients expect of answers to them. */
  fingerprint?: boolean;
  /** Append MESSAGE-INTEGRITY (HMAC-SHA1) with this key. */
  integrityKey?: Buffer;
}

export function encodeStun(message: StunMessage, options: EncodeOptions = {}): Buffer {
  const parts: Buffer[] = message.attributes.map(tlv);
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(messageType(message.method, message.cls), 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  message.transactionId.copy(header, 8, 0, 12);
  const withLength = (extra: number) => {
    header.writeUInt16BE(parts.reduce((n, p) => n + p.length, 0) + extra, 2);
    return Buffer.concat([header, ...parts]);
  };
  if (options.integrityKey) {
    const hmac = createHmac('sha1', options.integrityKey).update(withLength(24)).digest();
    parts.push(tlv({ type: Attr.MessageIntegrity, value: hmac }));
  }
  if (options.fingerprint) {
    const crc = (crc32(withLength(8)) ^ 0x5354554e) >>> 0;
    const value = Buffer.alloc(4);
    value.writeUInt32BE(crc, 0);
    parts.push(tlv({ type: Attr.Fingerprint, value }));
  }
  return withLength(0);
}

function tlv({ type, value }: StunAttribute): Buffer {
  const out = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

export const attribute = (m: StunMessage, type: number): Buffer | undefined => m.attributes.find((a) => a.type === type)?.value;

// ---- attribute values ----

/** An XOR-*-ADDRESS value (IPv4): port XOR the cookie's top half, address XOR the cookie. */
export function xorAddress(type: number, { address, port }: Address): StunAttribute {
  const value = Buffer.alloc(8);
  value.writeUInt8(0x01, 1);
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  value.writeUInt32BE((ipv4ToInt(address) ^ MAGIC_COOKIE) >>> 0, 4);
  return { type, value };
}

export function readXorAddress(m: StunMessage, type: number): Address | undefined {
  const v = attribute(m, type);
  if (!v || v.length < 8 || v[1] !== 0x01) return undefined;
  return { port: v.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16), address: intToIpv4((v.readUInt32BE(4) ^ MAGIC_COOKIE) >>> 0) };
}

export const u32 = (type: number, n: number): StunAttribute => {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(n >>> 0, 0);
  return { type, value };
};
export const text = (type: number, s: string): StunAttribute => ({ type, value: Buffer.from(s, 'utf8') });
export const readU32 = (m: StunMessage, type: number): number | undefined => attribute(m, type)?.readUInt32BE(0);
export const readText = (m: StunMessage, type: number): string | undefined => attribute(m, type)?.toString('utf8');

/** ERROR-CODE: class (hundreds) and number, then a UTF-8 reason phrase. */
export function errorCode(code: number, reason: string): StunAttribute {
  const value = Buffer.concat([Buffer.from([0, 0, Math.floor(code / 100), code % 100]), Buffer.from(reason, 'utf8')]);
  return { type: Attr.ErrorCode, value };
}

export function readErrorCode(m: StunMessage): { code: number; reason: string } | undefined {
  const v = attribute(m, Attr.ErrorCode);
  return v && v.length >= 4 ? { code: (v[2]! & 0x07) * 100 + v[3]!, reason: v.subarray(4).toString('utf8') } : undefined;
}

/** REQUESTED-TRANSPORT: the IP protocol number (17 = UDP), then 3 reserved bytes. */
export const requestedTransport = (protocol: number): StunAttribute => ({ type: Attr.RequestedTransport, value: Buffer.from([protocol, 0, 0, 0]) });

/** CHANNEL-NUMBER: 0x4000–0x4FFF, then 2 reserved bytes. */
export const channelNumber = (channel: number): StunAttribute => ({ type: Attr.ChannelNumber, value: Buffer.from([channel >> 8, channel & 0xff, 0, 0]) });

// ---- ChannelData (RFC 8656 §12.4): 2-byte channel, 2-byte length, the data ----

// RFC 8656 narrowed channels to 0x4000–0x4FFF; RFC 5766 clients (coturn's) still pick up to 0x7FFF.
export const CHANNEL_MIN = 0x4000;
export const CHANNEL_MAX = 0x7fff;

export const isChannelData = (buf: Buffer): boolean => buf.length >= 4 && buf[0]! >= 0x40 && buf[0]! <= 0x7f && buf.readUInt16BE(2) <= buf.length - 4;

export function encodeChannelData(channel: number, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(channel, 0);
  head.writeUInt16BE(data.length, 2);
  return Buffer.concat([head, data]);
}

export function decodeChannelData(buf: Buffer): { channel: number; data: Buffer } | undefined {
  if (!isChannelData(buf)) return undefined;
  return { channel: buf.readUInt16BE(0), data: Buffer.from(buf.subarray(4, 4 + buf.readUInt16BE(2))) };
}

// ---- helpers ----

export const ipv4ToInt = (ip: string): number => ip.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
export const intToIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
export const addressKey = ({ address, port }: Address): string => `${address}:${port}`;

let crcTable: Uint32Array | undefined;
export function crc32(buf: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of buf) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
