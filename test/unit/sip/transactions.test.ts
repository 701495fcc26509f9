import { describe, expect, it } from 'vitest';
import { ClientInviteTransaction, ClientNonInviteTransaction } from '../../../images/agent/src/sip/client-transaction.js';
import { DEFAULT_TIMERS } from '../../../images/agent/src/sip/clock.js';
import { parseMessage, responseTo, type SipRequest, type SipResponse } from '../../../images/agent/src/sip/message.js';
import { ServerInviteTransaction, ServerNonInviteTransaction } from '../../../images/agent/src/sip/server-transaction.js';
import { FakeClock } from './fake-clock.js';

// RFC 3261 §17 over UDP with T1 = 500 ms, T2 = 4 s, T4 = 5 s, on a clock the test moves.
const request = (method: string): SipRequest =>
  parseMessage([`${method} sip:bob@biloxi.lab SIP/2.0`, 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc', 'From: <sip:alice@atlanta.lab>;tag=a', 'To: <sip:bob@biloxi.lab>', 'Call-ID: c1', `CSeq: 1 ${method}`, '', ''].join('\r\n')) as SipRequest;

function client(kind: 'invite' | 'non-invite') {
  const clock = new FakeClock();
  const sent: { at: number; method: string }[] = [];
  const events: string[] = [];
  const options = { send: (r: SipRequest) => sent.push({ at: clock.now(), method: r.method }), clock, timers: DEFAULT_TIMERS, terminated: () => events.push('terminated') };
  const tu = { response: (r: SipResponse) => events.push(`response ${r.status}`), timeout: () => events.push('timeout') };
  const tx = kind === 'invite' ? new ClientInviteTransaction(request('INVITE'), tu, options) : new ClientNonInviteTransaction(request('OPTIONS'), tu, options);
  tx.start();
  return { clock, sent, events, tx, at: () => sent.map((s) => s.at) };
}

function server(kind: 'invite' | 'non-invite', autoTrying = false) {
  const clock = new FakeClock();
  const sent: { at: number; status: number }[] = [];
  const events: string[] = [];
  const req = request(kind === 'invite' ? 'INVITE' : 'BYE');
  const options = { send: (r: SipResponse) => sent.push({ at: clock.now(), status: r.status }), clock, timers: DEFAULT_TIMERS, terminated: () => events.push('terminated'), ackTimeout: () => events.push('ack timeout'), autoTrying };
  const tx = kind === 'invite' ? new ServerInviteTransaction(req, options) : new ServerNonInviteTransaction(req, options);
  return { clock, sent, events, tx, req };
}

describe('client INVITE transaction', () => {
  it('retransmits at T1, 2T1, 4T1… (Timer A doubles with no cap) and times out at 64·T1 (Timer B)', () => {
    const c = client('invite');
    c.clock.advance(40_000);
    expect(c.at()).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(c.events).toEqual(['terminated', 'timeout']);
    expect(c.tx.state).toBe('terminated');
  });

  it('stops retransmitting on a provisional response and never times out in Proceeding', () => {
    const c = client('invite');
    c.clock.advance(600);
    c.tx.receive(responseTo(c.tx.request, 180));
    c.clock.advance(60_000);
    expect(c.at()).toEqual([0, 500]);
    expect(c.events).toEqual(['response 180']);
    expect(c.tx.state).toBe('proceeding');
  });

  it('ACKs a non-2xx final response itself, re-ACKs its retransmissions, ends after Timer D', () => {
    const c = client('invite');
    const busy = responseTo(c.tx.request, 486, { toTag: 'b' });
    c.tx.receive(busy);
    c.clock.advance(1000);
    c.tx.receive(busy);
    expect(c.sent.map((s) => s.method)).toEqual(['INVITE', 'ACK', 'ACK']);
    expect(c.events).toEqual(['response 486']); // the retransmission is absorbed
    c.clock.advance(32_000);
    expect(c.events).toEqual(['response 486', 'terminated']);
  });

  it('passes a 2xx and its retransmissions to the TU (RFC 6026 Accepted) until Timer M', () => {
    const c = client('invite');
    const ok = responseTo(c.tx.request, 200, { toTag: 'b' });
    c.tx.receive(ok);
    c.clock.advance(1000);
    c.tx.receive(ok);
    expect(c.sent.map((s) => s.method)).toEqual(['INVITE']); // the ACK of a 2xx is the TU's
    expect(c.tx.state).toBe('accepted');
    c.clock.advance(64 * 500);
    expect(c.events).toEqual(['response 200', 'response 200', 'terminated']);
  });
});

describe('client non-INVITE transaction', () => {
  it('retransmits at T1 doubling up to T2 (Timer E) and times out at 64·T1 (Timer F)', () => {
    const c = client('non-invite');
    c.clock.advance(40_000);
    // 0.5, 1, 2, 4, then every T2 = 4 s: 0, 0.5, 1.5, 3.5, 7.5, 11.5, … 31.5
    expect(c.at()).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(c.events).toEqual(['terminated', 'timeout']);
  });

  it('retransmits every T2 once a provisional came, and absorbs retransmitted finals for T4 (Timer K)', () => {
    const c = client('non-invite');
    c.clock.advance(600);
    c.tx.receive(responseTo(c.tx.request, 100));
    c.clock.advance(9000);
    expect(c.at()).toEqual([0, 500, 1500, 5500, 9500]);
    c.tx.receive(responseTo(c.tx.request, 200));
    c.tx.receive(responseTo(c.tx.request, 200));
    expect(c.events).toEqual(['response 100', 'response 200']);
    c.clock.advance(4999);
    expect(c.tx.state).toBe('completed');
    c.clock.advance(1);
    expect(c.events.at(-1)).toBe('terminated');
    expect(c.clock.pending).toBe(0);
  });
});

describe('server INVITE transaction', () => {
  it('answers 100 Trying at once when asked, and repeats the last provisional to a retransmitted INVITE', () => {
    const s = server('invite', true);
    expect(s.sent.map((x) => x.status)).toEqual([100]);
    s.tx.respond(responseTo(s.req, 180, { toTag: 't' }));
    s.tx.receive(s.req);
    expect(s.sent.map((x) => x.status)).toEqual([100, 180, 180]);
  });

  it('retransmits a non-2xx final at T1 doubling to T2 (Timer G) until the ACK, then absorbs ACKs for T4 (Timer I)', () => {
    const s = server('invite');
    s.tx.respond(responseTo(s.req, 486, { toTag: 't' }));
    s.clock.advance(8000);
    expect(s.sent.map((x) => x.at)).toEqual([0, 500, 1500, 3500, 7500]);
    s.tx.receive({ ...s.req, method: 'ACK' });
    s.clock.advance(10_000);
    expect(s.sent).toHaveLength(5);
    expect(s.tx.state).toBe('terminated');
    expect(s.events).toEqual(['terminated']);
  });

  it('gives up waiting for the ACK at 64·T1 (Timer H) and tells the TU', () => {
    const s = server('invite');
    s.tx.respond(responseTo(s.req, 404));
    s.clock.advance(40_000);
    // G: 0.5, 1.5, 3.5, 7.5, then every T2: 11.5 … 31.5
    expect(s.sent.map((x) => x.at)).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(s.events).toEqual(['terminated', 'ack timeout']);
  });

  it('after a 2xx absorbs retransmitted INVITEs and sends the TU\'s 2xx retransmissions (RFC 6026 Timer L)', () => {
    const s = server('invite');
    const ok = responseTo(s.req, 200, { toTag: 't' });
    s.tx.respond(ok);
    s.tx.receive(s.req);
    s.clock.advance(500);
    s.tx.respond(ok);
    expect(s.sent.map((x) => `${x.at}:${x.status}`)).toEqual(['0:200', '500:200']);
    s.clock.advance(32_000);
    expect(s.tx.state).toBe('terminated');
  });
});

describe('server non-INVITE transaction', () => {
  it('drops retransmissions while trying, repeats the final response while completed, ends after Timer J', () => {
    const s = server('non-invite');
    s.tx.receive(s.req);
    expect(s.sent).toEqual([]);
    s.tx.respond(responseTo(s.req, 200));
    s.clock.advance(10_000);
    s.tx.receive(s.req);
    expect(s.sent.map((x) => `${x.at}:${x.status}`)).toEqual(['0:200', '10000:200']);
    s.clock.advance(22_000);
    expect(s.events).toEqual(['terminated']);
    s.tx.receive(s.req);
    expect(s.sent).toHaveLength(2);
  });
});
