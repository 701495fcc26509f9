// The media-like stream of a call: small datagrams at a fixed rate (by default 50/s of 172 bytes,
// a G.711 voice frame with its RTP header), each echoed by the callee, so the caller measures
// round-trip time, jitter and loss on whatever path the call took. Pure: packet format and stats.

const MAGIC = 0x454d4e54; // "EMNT": never the start of a STUN message (whose top two bits are 0) or ChannelData
export const MEDIA_HEADER = 24;

export type MediaKind = 'ping' | 'pong' | 'hello';
const KINDS: MediaKind[] = ['ping', 'pong', 'hello'];

export interface MediaPacket { kind: MediaKind; call: number; seq: number; /** Sender's clock, ms. */ sentAt: number }

export function encodeMedia(p: MediaPacket, size = MEDIA_HEADER): Buffer {
  const buf = Buffer.alloc(Math.max(size, MEDIA_HEADER));
  buf.writeUInt32BE(MAGIC, 0);
  buf.writeUInt8(KINDS.indexOf(p.kind), 4);
  buf.writeUInt32BE(p.call >>> 0, 8);
  buf.writeUInt32BE(p.seq >>> 0, 12);
  buf.writeDoubleBE(p.sentAt, 16);
  return buf;
}

export function decodeMedia(buf: Buffer): MediaPacket | undefined {
  if (buf.length < MEDIA_HEADER || buf.readUInt32BE(0) !== MAGIC) return undefined;
  const kind = KINDS[buf.readUInt8(4)];
  return kind ? { kind, call: buf.readUInt32BE(8), seq: buf.readUInt32BE(12), sentAt: buf.readDoubleBE(16) } : undefined;
}

/** The answer to a ping: the same packet, marked pong, the same size. */
export function pongFor(ping: Buffer): Buffer {
  const pong = Buffer.from(ping);
  pong.writeUInt8(KINDS.indexOf('pong'), 4);
  return pong;
}

export interface MediaStats {
  sent: number;
  received: number;
  lossPct: number;
  rttMeanMs?: number;
  rttMinMs?: number;
  rttP50Ms?: number;
  rttMaxMs?: number;
  /** Mean |RTT(i) - RTT(i-1)| over consecutive answered packets (RFC 5481's IPDV, on round trips). */
  jitterMs?: number;
}

/** Stats of a stream: `rtts[seq]` is the round trip of packet seq, undefined when it was never answered. */
export function mediaStats(sent: number, rtts: (number | undefined)[]): MediaStats {
  const answered = rtts.filter((r): r is number => r !== undefined);
  const received = answered.length;
  const lossPct = sent === 0 ? 0 : (100 * (sent - received)) / sent;
  if (received === 0) return { sent, received, lossPct };
  const sorted = [...answered].sort((a, b) => a - b);
  let diffs = 0;
  for (let i = 1; i < answered.length; i++) diffs += Math.abs(answered[i]! - answered[i - 1]!);
  return {
    sent,
    received,
    lossPct,
    rttMeanMs: answered.reduce((a, b) => a + b, 0) / received,
    rttMinMs: sorted[0],
    rttP50Ms: sorted[Math.floor((sorted.length - 1) / 2)],
    rttMaxMs: sorted[sorted.length - 1],
    jitterMs: received > 1 ? diffs / (received - 1) : undefined,
  };
}
