// The BitTorrent peer wire protocol (BEP 3): a 68-byte handshake, then length-prefixed messages.
// Pure codec: encoders return Buffers, WireParser turns a byte stream (in any chunking) back
// into messages, so it is tested without sockets.

export const PROTOCOL = 'BitTorrent protocol';
export const HANDSHAKE_LENGTH = 49 + PROTOCOL.length;
/** The customary request size; peers refuse much larger ones. */
export const BLOCK_SIZE = 16384;
const MAX_MESSAGE = 1 << 20;

export interface Handshake { infoHash: Buffer; peerId: Buffer; reserved: Buffer }

export type Message =
  | { type: 'keep-alive' }
  | { type: 'choke' | 'unchoke' | 'interested' | 'not-interested' }
  | { type: 'have'; index: number }
  | { type: 'bitfield'; bits: Buffer }
  | { type: 'request' | 'cancel'; index: number; begin: number; length: number }
  | { type: 'piece'; index: number; begin: number; block: Buffer }
  /** Any id BEP 3 does not define (port, fast extension, extended): length-delimited, so skippable. */
  | { type: 'unknown'; id: number };

const IDS = ['choke', 'unchoke', 'interested', 'not-interested', 'have', 'bitfield', 'request', 'piece', 'cancel'] as const;

export function encodeHandshake(infoHash: Buffer, peerId: Buffer): Buffer {
  const out = Buffer.alloc(HANDSHAKE_LENGTH);
  out[0] = PROTOCOL.length;
  out.write(PROTOCOL, 1, 'latin1');
  // Reserved bytes all zero: no extensions (DHT, fast, extended), so peers speak plain BEP 3.
  infoHash.copy(out, 28);
  peerId.copy(out, 48);
  return out;
}

export function encodeMessage(m: Message): Buffer {
  if (m.type === 'keep-alive') return Buffer.alloc(4);
  if (m.type === 'unknown') throw new Error('cannot encode an unknown message');
  const id = IDS.indexOf(m.type);
  const payload =
    m.type === 'have' ? ints(m.index)
    : m.type === 'bitfield' ? m.bits
    : m.type === 'request' || m.type === 'cancel' ? ints(m.index, m.begin, m.length)
    : m.type === 'piece' ? Buffer.concat([ints(m.index, m.begin), m.block])
    : Buffer.alloc(0);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + 1, 0);
  head[4] = id;
  return Buffer.concat([head, payload]);
}

function ints(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v, i * 4));
  return b;
}

export class WireError extends Error {}

/** Feed it bytes as they arrive; it calls back with the handshake first, then each message. */
export class WireParser {
  private buffer: Buffer = Buffer.alloc(0);
  private shook = false;

  constructor(private readonly on: { handshake(h: Handshake): void; message(m: Message): void }) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (!this.shook) {
        if (this.buffer.length < 1) return;
        if (this.buffer[0] !== PROTOCOL.length || (this.buffer.length >= 20 && this.buffer.toString('latin1', 1, 20) !== PROTOCOL)) throw new WireError('not a BitTorrent handshake');
        if (this.buffer.length < HANDSHAKE_LENGTH) return;
        const h = this.buffer;
        this.buffer = this.buffer.subarray(HANDSHAKE_LENGTH);
        this.shook = true;
        this.on.handshake({ reserved: Buffer.from(h.subarray(20, 28)), infoHash: Buffer.from(h.subarray(28, 48)), peerId: Buffer.from(h.subarray(48, 68)) });
        continue;
      }
      if (this.buffer.length < 4) return;
      const length = this.buffer.readUInt32BE(0);
      if (length > MAX_MESSAGE) throw new WireError(`a message of ${length} bytes (more than ${MAX_MESSAGE})`);
      if (this.buffer.length < 4 + length) return;
      const body = this.buffer.subarray(4, 4 + length);
      this.buffer = this.buffer.subarray(4 + length);
      this.on.message(decodeBody(body));
    }
  }
}

function decodeBody(body: Buffer): Message {
  if (body.length === 0) return { type: 'keep-alive' };
  const id = body[0]!;
  const type = IDS[id];
  const need = (n: number) => {
    if (body.length < n) throw new WireError(`${type} message of ${body.length} bytes; expected at least ${n}`);
  };
  switch (type) {
    case 'choke': case 'unchoke': case 'interested': case 'not-interested':
      return { type };
    case 'have':
      need(5);
      return { type, index: body.readUInt32BE(1) };
    case 'bitfield':
      return { type, bits: Buffer.from(body.subarray(1)) };
    case 'request': case 'cancel':
      need(13);
      return { type, index: body.readUInt32BE(1), begin: body.readUInt32BE(5), length: body.readUInt32BE(9) };
    case 'piece':
      need(9);
      return { type, index: body.readUInt32BE(1), begin: body.readUInt32BE(5), block: Buffer.from(body.subarray(9)) };
    default:
      return { type: 'unknown', id };
  }
}
