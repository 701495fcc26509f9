import { describe, expect, it } from 'vitest';
import { decodeRtp, encodeRtp, ReceiverStats, voicePayload, type RtpPacket } from '../../../images/agent/src/sip/rtp.js';
import { audioSdp, chooseCodec, parseAudio } from '../../../images/agent/src/sip/sdp.js';

// RTP (RFC 3550) headers and receiver statistics, SDP offer/answer (RFC 3264): pure functions.
const packet = (sequence: number, timestamp: number, sentNs = 0n): RtpPacket => ({ payloadType: 0, marker: false, sequence, timestamp, ssrc: 0x1234, payload: voicePayload(sentNs) });

describe('RTP', () => {
  it('encodes the 12-byte header (V=2, M, PT, sequence, timestamp, SSRC) and decodes it back', () => {
    const p = { ...packet(65535, 0xfffffff0), marker: true };
    const b = encodeRtp(p);
    expect(b).toHaveLength(12 + 160);
    expect([...b.subarray(0, 12)]).toEqual([0x80, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0x12, 0x34]);
    expect(decodeRtp(b)).toEqual(p);
    expect(decodeRtp(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined(); // version 1
  });

  it('counts loss from sequence numbers across a wrap, ignoring duplicates for the highest seen', () => {
    const s = new ReceiverStats();
    const seqs = [65530, 65531, 65533, 65535, 0, 1, 1, 4];
    seqs.forEach((q, i) => s.receive(packet(q, i * 160), i * 20, 0n));
    // 65530 .. 65535, 0 .. 4 = 11 expected; 8 arrived (one a duplicate): 3 lost.
    expect(s.report()).toMatchObject({ expected: 11, received: 8, lossPct: (100 * 3) / 11 });
  });

  it('has zero jitter for evenly spaced arrivals and converges to E|D| for alternating transit (RFC 3550 A.8)', () => {
    const even = new ReceiverStats();
    for (let i = 0; i < 50; i++) even.receive(packet(i, i * 160), 100 + i * 20, 0n);
    expect(even.report().jitterMs).toBeCloseTo(0, 9);
    const alternating = new ReceiverStats();
    // Transit alternates 10 ms / 14 ms: |D| is always 4 ms, so J -> 4 ms.
    for (let i = 0; i < 400; i++) alternating.receive(packet(i, i * 160), i * 20 + (i % 2 === 0 ? 10 : 14), 0n);
    expect(alternating.report().jitterMs).toBeCloseTo(4, 3);
  });

  it('takes the one-way delay from the send time in our payload', () => {
    const s = new ReceiverStats();
    s.receive(packet(1, 0, 1_000_000_000n), 0, 1_012_500_000n);
    s.receive(packet(2, 160, 1_020_000_000n), 20, 1_034_500_000n);
    expect(s.report().delayMs).toBeCloseTo(13.5, 9);
  });
});

describe('SDP', () => {
  it('offers G.711, reads the peer\'s audio address (media-level c= wins) and picks a codec we have', () => {
    const offer = audioSdp({ address: '10.0.0.4', port: 40000, sessionId: 7, payloadTypes: [0, 8] });
    expect(offer).toContain('m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n');
    expect(parseAudio(offer)).toEqual({ address: '10.0.0.4', port: 40000, payloadTypes: [0, 8] });
    const sipp = 'v=0\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\nm=audio 6000 RTP/AVP 18 8\r\nc=IN IP4 10.0.0.10\r\n';
    expect(parseAudio(sipp)).toEqual({ address: '10.0.0.10', port: 6000, payloadTypes: [18, 8] });
    expect(chooseCodec(parseAudio(sipp))).toBe(8);
    expect(chooseCodec({ address: 'x', port: 1, payloadTypes: [18] })).toBeUndefined();
    expect(() => parseAudio('v=0\r\nc=IN IP4 10.0.0.1\r\n')).toThrow(/no "m=audio/);
  });
});
