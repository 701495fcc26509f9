import { describe, expect, it } from 'vitest';
import { canonicalName, splitList } from '../../../images/agent/src/sip/headers.js';
import { parseMessage, responseTo, serializeMessage, SipParseError, type SipRequest } from '../../../images/agent/src/sip/message.js';
import { formatNameAddr, formatUri, formatVia, parseCSeq, parseNameAddr, parseUri, parseVia } from '../../../images/agent/src/sip/uri.js';

// RFC 3261 §7 on the wire: the examples are shaped like RFC 4475's torture tests.
const INVITE = [
  'INVITE sip:bob@biloxi.lab SIP/2.0',
  'v: SIP/2.0/UDP pc33.atlanta.lab;branch=z9hG4bK776asdhds , SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKnashds8;received=10.0.0.9',
  'Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK77ef4c2312983.1',
  'Max-Forwards: 70',
  't: Bob <sip:bob@biloxi.lab>',
  'f: "Alice, the caller" <sip:alice@atlanta.lab>;tag=1928301774',
  'i: a84b4c76e66710@pc33.atlanta.lab',
  'CSEQ: 314159 INVITE',
  'm: <sip:alice@pc33.atlanta.lab>',
  'Subject: a folded',
  '   subject line',
  '\tacross three lines',
  'c: application/sdp',
  'l: 4',
  '',
  'v=0\r\nthis is past Content-Length',
].join('\r\n');

describe('SIP message parser', () => {
  it('expands compact forms, unfolds folded headers and splits multiple Via in one line', () => {
    const m = parseMessage(INVITE) as SipRequest;
    expect([m.kind, m.method, m.uri]).toEqual(['request', 'INVITE', 'sip:bob@biloxi.lab']);
    expect(m.headers.all('Via')).toEqual([
      'SIP/2.0/UDP pc33.atlanta.lab;branch=z9hG4bK776asdhds',
      'SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKnashds8;received=10.0.0.9',
      'SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK77ef4c2312983.1',
    ]);
    expect(m.headers.get('Call-ID')).toBe('a84b4c76e66710@pc33.atlanta.lab');
    expect(m.headers.get('cseq')).toBe('314159 INVITE');
    expect(m.headers.get('Subject')).toBe('a folded subject line across three lines');
    expect(m.headers.get('From')).toBe('"Alice, the caller" <sip:alice@atlanta.lab>;tag=1928301774');
    expect(m.headers.get('Content-Type')).toBe('application/sdp');
    // Content-Length counts bytes; what follows is not part of a datagram's message.
    expect(m.body).toBe('v=0\r');
  });

  it('serializes one header per value and writes the right Content-Length, and parses its own output back', () => {
    const m = parseMessage(INVITE) as SipRequest;
    m.body = 'v=0\r\ns=é\r\n';
    const text = serializeMessage(m).toString('utf8');
    expect(text.split('\r\n').filter((l) => l.startsWith('Via: '))).toHaveLength(3);
    expect(text).toContain('Content-Length: 11\r\n\r\nv=0');
    expect(text).toContain('Subject: a folded subject line across three lines\r\n');
    const again = parseMessage(serializeMessage(m));
    expect(again.headers.list).toEqual(m.headers.list.map((h) => (h.name === 'Content-Length' ? { name: h.name, value: '11' } : h)));
    expect(again.body).toBe(m.body);
  });

  it('parses responses, bare-LF messages, and the body of a datagram without Content-Length', () => {
    const r = parseMessage('\r\nSIP/2.0 180 Ringing\nVia: SIP/2.0/UDP a.lab\nCSeq: 1 INVITE\n\nbody');
    expect(r).toMatchObject({ kind: 'response', status: 180, reason: 'Ringing', body: 'body' });
  });

  it('rejects malformed messages with the reason', () => {
    expect(() => parseMessage('INVITE sip:x SIP/3.0\r\n\r\n')).toThrow(/unsupported version "SIP\/3.0"/);
    expect(() => parseMessage('INVITE sip:x SIP/2.0\r\nVia: x\r\n')).toThrow(SipParseError);
    expect(() => parseMessage('SIP/2.0 700 Bad\r\n\r\n')).toThrow(/outside 100-699/);
    expect(() => parseMessage('BYE sip:x SIP/2.0\r\nl: 10\r\n\r\nshort')).toThrow(/Content-Length says 10 bytes but only 5/);
    expect(() => parseMessage('BYE sip:x SIP/2.0\r\n  folded first\r\n\r\n')).toThrow(/starts with whitespace/);
    expect(() => parseMessage('BYE sip:x SIP/2.0\r\nno colon here\r\n\r\n')).toThrow(/without a name/);
  });

  it('keeps `Contact: *` whole and splits lists only outside quotes and brackets', () => {
    expect(parseMessage('REGISTER sip:a.lab SIP/2.0\r\nContact: *\r\nExpires: 0\r\n\r\n').headers.all('Contact')).toEqual(['*']);
    expect(splitList('"Doe, J" <sip:j@x;a=1,2>, <sip:k@y>')).toEqual(['"Doe, J" <sip:j@x;a=1,2>', '<sip:k@y>']);
    expect([canonicalName('call-id'), canonicalName('WWW-AUTHENTICATE'), canonicalName('record-route'), canonicalName('x-rtp-stat'), canonicalName('x')]).toEqual(['Call-ID', 'WWW-Authenticate', 'Record-Route', 'X-Rtp-Stat', 'Session-Expires']);
  });

  it('builds responses that copy Via, From, To, Call-ID, CSeq (and Record-Route for 18x/2xx), adding a To tag', () => {
    const m = parseMessage(INVITE) as SipRequest;
    m.headers.append('Record-Route', '<sip:10.0.0.3;lr>');
    const ok = responseTo(m, 200, { toTag: 'abc' });
    expect(ok.headers.all('Via')).toHaveLength(3);
    expect(ok.headers.get('To')).toBe('Bob <sip:bob@biloxi.lab>;tag=abc');
    expect(ok.headers.all('Record-Route')).toEqual(['<sip:10.0.0.3;lr>']);
    expect(responseTo(m, 486).headers.has('Record-Route')).toBe(false);
  });
});

describe('SIP URIs, name-addr, Via and CSeq', () => {
  it('round-trips URIs with user, port, parameters and headers', () => {
    const u = parseUri('sip:Alice:secret@Atlanta.LAB:5070;transport=udp;lr?subject=hi');
    expect(u).toEqual({ scheme: 'sip', user: 'Alice', host: 'atlanta.lab', port: 5070, params: { transport: 'udp', lr: null }, headers: 'subject=hi' });
    expect(formatUri(parseUri('sip:10.0.0.1:5060;lr'))).toBe('sip:10.0.0.1:5060;lr');
    expect(() => parseUri('http://x')).toThrow(/not a SIP URI/);
  });

  it('puts parameters after a bare URI on the header, and inside <> on the URI', () => {
    expect(parseNameAddr('sip:bob@biloxi.lab;tag=xyz')).toEqual({ uri: { scheme: 'sip', user: 'bob', host: 'biloxi.lab', params: {} }, params: { tag: 'xyz' } });
    const na = parseNameAddr('"Bob" <sip:bob@biloxi.lab;transport=udp>;tag=xyz;expires=60');
    expect(na).toMatchObject({ display: 'Bob', uri: { params: { transport: 'udp' } }, params: { tag: 'xyz', expires: '60' } });
    expect(formatNameAddr(na)).toBe('"Bob" <sip:bob@biloxi.lab;transport=udp>;tag=xyz;expires=60');
  });

  it('parses Via with received and rport, and CSeq', () => {
    const v = parseVia('SIP / 2.0 / udp 10.0.0.1:5070 ;branch=z9hG4bK1;rport;received=10.0.0.9');
    expect(v).toEqual({ transport: 'UDP', host: '10.0.0.1', port: 5070, params: { branch: 'z9hG4bK1', rport: null, received: '10.0.0.9' } });
    expect(formatVia(v)).toBe('SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;rport;received=10.0.0.9');
    expect(parseCSeq(' 42  bye ')).toEqual({ seq: 42, method: 'BYE' });
    expect(() => parseCSeq('INVITE 1')).toThrow(/bad CSeq/);
  });
});
