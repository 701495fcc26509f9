// RTP packets (RFC 3550 §5.1) and what a receiver learns from them (§6.4.1, Appendix A.1 and
// A.8): loss from sequence numbers, interarrival jitter from timestamps, and one-way delay from
// the send time the sender writes in its payload (senders and receivers in one lab read the
// same host clock). Pure: arrival times are passed in.

export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

export const RTP_HEADER_BYTES = 12;

export function encodeRtp(p: RtpPacket): Buffer {
  const b = Buffer.alloc(RTP_HEADER_BYTES + p.payload.length);
  b[0] = 0x80; // V=2, no padding, no extension, no CSRC
  b[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  b.writeUInt16BE(p.sequence & 0xffff, 2);
  b.writeUInt32BE(p.timestamp >>> 0, 4);
  b.writeUInt32BE(p.ssrc >>> 0, 8);
  p.payload.copy(b, RTP_HEADER_BYTES);
  return b;
}

/** Undefined for anything that is not an RTP version 2 packet. */
export function decodeRtp(b: Buffer): RtpPacket | undefined {
  if (b.length < RTP_HEADER_BYTES || b[0]! >> 6 !== 2) return undefined;
  const csrcs = b[0]! & 0x0f;
  let offset = RTP_HEADER_BYTES + 4 * csrcs;
  if (b[0]! & 0x10) {
    if (b.length < offset + 4) return undefined;
    offset += 4 + 4 * b.readUInt16BE(offset + 2);
  }
  let end = b.length;
  if (b[0]! & 0x20) end -= b[b.length - 1]!; // padding: its count is the last byte
  if (offset > end) return undefined;
  return { payloadType: b[1]! & 0x7f, marker: (b[1]! & 0x80) !== 0, sequence: b.readUInt16BE(2), timestamp: b.readUInt32BE(4), ssrc: b.readUInt32BE(8), payload: b.subarray(offset, end) };
}

/** G.711 at 8 kHz, 20 ms per packet: 160 samples of one byte each. */
export const SAMPLE_RATE = 8000;
export const PACKET_MS = 20;
export const PAYLOAD_BYTES = 160;

/** Our payloads start with this and the sender's clock in nanoseconds, so the receiver can take the one-way delay. */
const MAGIC = 0x454d554e; // "EMUN"

export function voicePayload(sentNs: bigint): Buffer {
  const p = Buffer.alloc(PAYLOAD_BYTES, 0xff); // 0xFF is µ-law silence
  p.writeUInt32BE(MAGIC, 0);
  p.writeBigUInt64BE(sentNs, 4);
  return p;
}

export function sentTimeOf(payload: Buffer): bigint | undefined {
  return payload.length >= 12 && payload.readUInt32BE(0) === MAGIC ? payload.readBigUInt64BE(4) : undefined;
}

export interface ReceiverReport {
  received: number;
  expected: number;
  lossPct: number;
  /** RFC 3550 interarrival jitter, in ms. */
  jitterMs: number;
  /** Mean one-way delay in ms; undefined when the packets carried no send time. */
  delayMs?: number;
}

/** One SSRC's receive statistics (the first SSRC heard; others are ignored). */
export class ReceiverStats {
  private ssrc?: number;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private received = 0;
  private transit?: number;
  private jitter = 0; // in timestamp units, as RFC 3550 keeps it
  private delaySumMs = 0;
  private delays = 0;

  /** `arrivalMs` on the same scale for every packet; `arrivalNs` the host clock, for the delay. */
  receive(p: RtpPacket, arrivalMs: number, arrivalNs: bigint): void {
    if (this.ssrc === undefined) {
      this.ssrc = p.ssrc;
      this.baseSeq = this.maxSeq = p.sequence;
    } else if (p.ssrc !== this.ssrc) {
      return;
    } else {
      const delta = (p.sequence - this.maxSeq + 0x10000) % 0x10000;
      // A.1: a small step forward advances (wrapping counts a cycle); anything else is late or duplicated.
      if (delta > 0 && delta < 3000) {
        if (p.sequence < this.maxSeq) this.cycles += 0x10000;
        this.maxSeq = p.sequence;
      }
    }
    this.received++;
    // A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si) in timestamp units; J += (|D| - J) / 16.
    const transit = (arrivalMs * SAMPLE_RATE) / 1000 - p.timestamp;
    if (this.transit !== undefined) this.jitter += (Math.abs(transit - this.transit) - this.jitter) / 16;
    this.transit = transit;
    const sent = sentTimeOf(p.payload);
    if (sent !== undefined) {
      this.delaySumMs += Number(arrivalNs - sent) / 1e6;
      this.delays++;
    }
  }

  report(): ReceiverReport {
    const expected = this.ssrc === undefined ? 0 : this.cycles + this.maxSeq - this.baseSeq + 1;
    const lost = Math.max(0, expected - this.received);
    const r: ReceiverReport = { received: this.received, expected, lossPct: expected === 0 ? 100 : (100 * lost) / expected, jitterMs: (this.jitter * 1000) / SAMPLE_RATE };
    if (this.delays > 0) r.delayMs = this.delaySumMs / this.delays;
    return r;
  }
}
