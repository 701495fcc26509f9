import { describe, expect, it } from 'vitest';
import { parseProxyConfig, parseUaConfig, SipConfigError } from '../../../images/agent/src/sip/config.js';
import { parseMessage, type SipRequest } from '../../../images/agent/src/sip/message.js';
import { LocationService, register } from '../../../images/agent/src/sip/registrar.js';
import { FakeClock } from './fake-clock.js';

// The registrar (RFC 3261 §10.3) on an injected clock, and the node.config checks.
const settings = parseProxyConfig({ domain: 'biloxi.lab', users: ['bob', 'carol'], minExpires: 60 }, { node: 'proxyb', address: '10.0.0.3' });

let cseq = 1;
const REGISTER = (contact: string, extra: string[] = [], to = 'sip:bob@biloxi.lab'): SipRequest =>
  parseMessage(['REGISTER sip:biloxi.lab SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1', `To: <${to}>`, `From: <${to}>;tag=x`, 'Call-ID: reg1', `CSeq: ${cseq++} REGISTER`, `Contact: ${contact}`, ...extra, '', ''].join('\r\n')) as SipRequest;

describe('registrar', () => {
  it('binds a contact for the asked time, answers with the bindings, and forgets them when they expire', () => {
    const clock = new FakeClock();
    const location = new LocationService(clock);
    const r = register(REGISTER('<sip:bob@10.0.0.5:5060>', ['Expires: 120']), location, settings, clock);
    expect(r.status).toBe(200);
    expect(r.headers.all('Contact')).toEqual(['<sip:bob@10.0.0.5:5060>;expires=120']);
    expect(location.lookup('sip:bob@biloxi.lab').map((b) => b.contact)).toEqual(['sip:bob@10.0.0.5:5060']);
    clock.advance(119_999);
    expect(location.lookup('sip:bob@biloxi.lab')).toHaveLength(1);
    clock.advance(1);
    expect(location.lookup('sip:bob@biloxi.lab')).toHaveLength(0);
  });

  it('takes the node address as the domain, a per-contact expires over the header, and caps at maxExpires', () => {
    const clock = new FakeClock();
    const location = new LocationService(clock);
    register(REGISTER('<sip:bob@10.0.0.5>;expires=999999', ['Expires: 60'], 'sip:bob@10.0.0.3'), location, settings, clock);
    expect(location.dump()).toEqual({ 'sip:bob@biloxi.lab': [{ contact: 'sip:bob@10.0.0.5', expiresInS: 7200 }] });
  });

  it('removes bindings with Expires 0 or `Contact: *`, refuses too-brief intervals (423) and strangers (404, 403)', () => {
    const clock = new FakeClock();
    const location = new LocationService(clock);
    register(REGISTER('<sip:bob@10.0.0.5>'), location, settings, clock);
    register(REGISTER('<sip:bob@10.0.0.6>'), location, settings, clock);
    expect(location.lookup('sip:bob@biloxi.lab').map((b) => b.contact)).toEqual(['sip:bob@10.0.0.6', 'sip:bob@10.0.0.5']);
    register(REGISTER('<sip:bob@10.0.0.6>', ['Expires: 0']), location, settings, clock);
    expect(location.lookup('sip:bob@biloxi.lab')).toHaveLength(1);
    expect(register(REGISTER('*', ['Expires: 5']), location, settings, clock).status).toBe(400);
    expect(register(REGISTER('*', ['Expires: 0']), location, settings, clock).status).toBe(200);
    expect(location.lookup('sip:bob@biloxi.lab')).toHaveLength(0);
    const brief = register(REGISTER('<sip:bob@10.0.0.5>', ['Expires: 10']), location, settings, clock);
    expect([brief.status, brief.headers.get('Min-Expires')]).toEqual([423, '60']);
    expect(register(REGISTER('<sip:eve@10.0.0.9>', [], 'sip:eve@biloxi.lab'), location, settings, clock).status).toBe(404);
    expect(register(REGISTER('<sip:bob@10.0.0.9>', [], 'sip:bob@atlanta.lab'), location, settings, clock).status).toBe(403);
  });
});

describe('SIP node config', () => {
  it('fills defaults and resolves routes', () => {
    expect(settings).toMatchObject({ domain: 'biloxi.lab', aliases: ['proxyb', '10.0.0.3'], recordRoute: true, port: 5060, defaultExpires: 3600, timers: { t1: 500, t2: 4000, t4: 5000 } });
    expect(parseProxyConfig({ domain: 'a.lab', routes: { 'B.lab': 'proxyb:5070' } }, { node: 'p', address: '10.0.0.1' }).routes).toEqual({ 'b.lab': { host: 'proxyb', port: 5070 } });
    expect(parseUaConfig({ user: 'Alice', domain: 'atlanta.lab', proxy: 'proxya' })).toMatchObject({ user: 'alice', proxy: { host: 'proxya' }, answerDelayMs: 0, answerStatus: 200, register: true });
  });

  it('names the key, what was expected and what was found', () => {
    expect(() => parseUaConfig({ user: 'alice', domain: 'atlanta.lab' })).toThrow('sip-ua config: "proxy" must be a node name or address, optionally with ":port", found undefined');
    expect(() => parseUaConfig({ user: 'alice', domain: 'atlanta.lab', proxy: 'p', answerdelay: 5 })).toThrow(/unknown key "answerdelay"; known keys are \[user, domain, proxy, expires, register, answerDelay/);
    expect(() => parseUaConfig({ user: 'alice', domain: 'atlanta.lab', proxy: 'p', answerStatus: 250 })).toThrow(/"answerStatus" must be 200 or a refusal/);
    expect(() => parseProxyConfig({ users: ['bob'] }, { node: 'p', address: '10.0.0.1' })).toThrow(SipConfigError);
    expect(() => parseProxyConfig({ domain: 'a.lab', users: 'bob' }, { node: 'p', address: '10.0.0.1' })).toThrow(/"users" must be a list of user names/);
  });
});
