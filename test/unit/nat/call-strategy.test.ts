import { describe, expect, it } from 'vitest';
import { afterAttempt, describeAttempts, nextPath, parseStrategy, startCall } from '../../../images/agent/src/nat/call-strategy.js';

describe('call strategy state machine', () => {
  it('auto tries direct, then hole-punch, then the relay, and stops at the first that works', () => {
    let s = startCall('auto');
    expect(nextPath(s)).toBe('direct');
    s = afterAttempt(s, { path: 'direct', ok: false, ms: 2000, reason: 'timeout' });
    expect(nextPath(s)).toBe('hole-punch');
    s = afterAttempt(s, { path: 'hole-punch', ok: true, ms: 40 });
    expect(s.outcome).toBe('hole-punch');
    expect(nextPath(s)).toBeUndefined();
    expect(describeAttempts(s.attempts)).toBe('direct:failed:2000,hole-punch:ok:40');
  });

  it('auto ends on the relay when both NATs are symmetric, and fails only when the relay fails too', () => {
    let s = startCall('auto');
    for (const path of ['direct', 'hole-punch'] as const) s = afterAttempt(s, { path, ok: false, ms: 1 });
    expect(nextPath(s)).toBe('relay');
    expect(afterAttempt(s, { path: 'relay', ok: true, ms: 5 }).outcome).toBe('relay');
    expect(afterAttempt(s, { path: 'relay', ok: false, ms: 5 }).outcome).toBe('failed');
  });

  it('a single strategy tries only its own path', () => {
    const s = afterAttempt(startCall('hole-punch'), { path: 'hole-punch', ok: false, ms: 2000 });
    expect(s.outcome).toBe('failed');
    expect(s.attempts).toHaveLength(1);
  });

  it('refuses an attempt for a path that is not being tried, and unknown strategies', () => {
    expect(() => afterAttempt(startCall('auto'), { path: 'relay', ok: true, ms: 1 })).toThrow(/while direct was being tried/);
    expect(() => parseStrategy('stun')).toThrow(/one of \[direct, hole-punch, relay, auto\]/);
  });
});
