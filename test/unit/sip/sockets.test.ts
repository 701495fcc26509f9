// Two domains in one process over real UDP sockets on loopback addresses (127.0.0.x, each
// component its own address, as in a lab): registrars, proxies, user agents and their media.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TIMERS, systemClock } from '../../../images/agent/src/sip/clock.js';
import { parseProxyConfig, parseUaConfig } from '../../../images/agent/src/sip/config.js';
import { SipEndpoint } from '../../../images/agent/src/sip/endpoint.js';
import { SipProxy } from '../../../images/agent/src/sip/proxy.js';
import { UserAgent } from '../../../images/agent/src/sip/ua.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const lines: string[] = [];
const log = (l: string) => lines.push(l);

async function endpoint(address: string, autoTrying = false) {
  const e = await SipEndpoint.open({ bind: address, port: 0, advertise: address, clock: systemClock, timers: DEFAULT_TIMERS, log, autoTrying });
  cleanups.push(() => e.close());
  return e;
}

async function twoDomains() {
  const ea = await endpoint('127.0.0.2', true);
  const eb = await endpoint('127.0.0.3', true);
  const pa = new SipProxy(ea, parseProxyConfig({ domain: 'atlanta.lab', users: ['alice'], routes: { 'biloxi.lab': `127.0.0.3:${eb.port}` } }, { node: 'proxya', address: '127.0.0.2' }), systemClock, log);
  const pb = new SipProxy(eb, parseProxyConfig({ domain: 'biloxi.lab', users: ['bob', 'dave', 'carol'], routes: { 'atlanta.lab': `127.0.0.2:${ea.port}` } }, { node: 'proxyb', address: '127.0.0.3' }), systemClock, log);
  const ua = async (address: string, config: Record<string, unknown>) => {
    const settings = parseUaConfig(config);
    const agent = new UserAgent(await endpoint(address), settings, systemClock, DEFAULT_TIMERS, log);
    cleanups.push(() => agent.stop());
    return agent;
  };
  const alice = await ua('127.0.0.4', { user: 'alice', domain: 'atlanta.lab', proxy: `127.0.0.2:${ea.port}` });
  const bob = await ua('127.0.0.5', { user: 'bob', domain: 'biloxi.lab', proxy: `127.0.0.3:${eb.port}`, answerDelay: 150 });
  const carol = await ua('127.0.0.6', { user: 'carol', domain: 'biloxi.lab', proxy: `127.0.0.3:${eb.port}`, answerDelay: 60_000 });
  return { pa, pb, alice, bob, carol };
}

describe('SIP over real sockets (127.0.0.x)', () => {
  it('registers, then calls across two proxies: 180, 200 after the ringing time, ACK, media both ways, BYE', async () => {
    const { pb, alice, bob } = await twoDomains();
    expect(await alice.register()).toMatchObject({ status: 200, expires: 3600 });
    expect(await bob.register()).toMatchObject({ status: 200 });
    expect(Object.keys(pb.location.dump())).toEqual(['sip:bob@biloxi.lab']);
    const call = await alice.call('sip:bob@biloxi.lab', { durationMs: 400, timeoutMs: 5000 });
    expect(call).toMatchObject({ status: 200, byeStatus: 200 });
    expect(call.postDialDelayMs).toBeLessThan(100);
    expect(call.setupMs! - call.postDialDelayMs!).toBeGreaterThanOrEqual(140);
    expect(call.teardownMs).toBeLessThan(100);
    // ~20 packets in 400 ms from the callee (it starts on the ACK); none lost on loopback.
    expect(call.media!.received).toBeGreaterThan(10);
    expect(call.media!.lossPct).toBe(0);
    expect(call.media!.delayMs).toBeLessThan(5);
    // Both proxies stayed on the path: the BYE went through them (Record-Route).
    expect(lines.filter((l) => l.startsWith('sip-proxy: BYE'))).toHaveLength(2);
  });

  it('answers 404 for an unknown user and 480 for a known one who is not registered', async () => {
    const { alice, bob } = await twoDomains();
    await bob.register();
    expect(await alice.call('sip:nobody@biloxi.lab', { durationMs: 0, timeoutMs: 5000 })).toMatchObject({ status: 404 });
    expect(await alice.call('sip:dave@biloxi.lab', { durationMs: 0, timeoutMs: 5000 })).toMatchObject({ status: 480 });
    // A registration removed (Expires 0) makes its user unavailable again.
    expect(await bob.register(0)).toMatchObject({ status: 200 });
    expect(await alice.call('sip:bob@biloxi.lab', { durationMs: 0, timeoutMs: 5000 })).toMatchObject({ status: 480 });
  });

  it('cancels a call that rings too long: CANCEL through both proxies, 487 back', async () => {
    const { alice, carol } = await twoDomains();
    await carol.register();
    const call = await alice.call('sip:carol@biloxi.lab', { durationMs: 0, timeoutMs: 300 });
    expect(call).toMatchObject({ status: 487 });
    expect(call.postDialDelayMs).toBeDefined();
    expect(lines.some((l) => /sip: <- .* CANCEL sip:carol@127\.0\.0\.6/.test(l))).toBe(true);
  });
});
