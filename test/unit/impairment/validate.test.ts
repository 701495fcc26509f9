import { describe, expect, it } from 'vitest';
import type { LinkImpairment } from '../../../orchestrator/impairment/spec.js';
import { InvalidImpairment, UnsupportedImpairment, impairmentProblems, needsDelayer, needsNetem, validateImpairment } from '../../../orchestrator/impairment/validate.js';

describe('impairmentProblems', () => {
  it.each<[LinkImpairment, string[]]>([
    [{}, []],
    [{ delayUs: 40_000, jitterUs: 5_000, distribution: 'pareto', delayCorrelationPct: 25, lossPct: 1, lossCorrelationPct: 25, reorderPct: 10 }, []],
    [{ jitterUs: 5_000 }, ['jitterUs']],
    [{ delayUs: 0, jitterUs: 5_000 }, ['jitterUs']],
    [{ delayUs: 40_000, distribution: 'normal' }, ['distribution']],
    [{ delayUs: 40_000, delayCorrelationPct: 25 }, ['delayCorrelationPct']],
    [{ lossCorrelationPct: 25 }, ['lossCorrelationPct']],
    [{ reorderPct: 25 }, ['reorderPct']],
    [{ lossPct: 0, lossCorrelationPct: 0, reorderPct: 0, jitterUs: 0 }, []],
  ])('%j -> %j', (impairment, fields) => expect(impairmentProblems(impairment).map((p) => p.field)).toEqual(fields));

  it('says what is missing and how to fix it, in the keys users write', () => {
    expect(impairmentProblems({ jitterUs: 5_000 })).toEqual([
      { field: 'jitterUs', message: 'jitter varies the delay around its mean, but no delay is set', hint: 'set `delay:` as well (e.g. `delay: 40ms`), or remove `jitter:`' },
    ]);
  });
});

describe('what each backend needs', () => {
  it.each<[LinkImpairment, boolean, boolean]>([
    [{}, false, false],
    [{ rateBps: 1_000_000, downloadBps: 1_000_000, limitPackets: 10, down: true }, false, false],
    [{ delayUs: 1 }, true, true],
    [{ lossPct: 1 }, true, true],
    [{ reorderPct: 1, delayUs: 1 }, true, true],
    [{ duplicatePct: 1 }, false, true],
    [{ corruptPct: 1 }, false, true],
    [{ delayUs: 0, lossPct: 0 }, false, false],
  ])('%j: delayer %s, netem %s', (impairment, delayer, netem) => {
    expect(needsDelayer(impairment)).toBe(delayer);
    expect(needsNetem(impairment)).toBe(netem);
  });
});

describe('validateImpairment', () => {
  it('accepts on netem what userspace cannot do', () => {
    expect(() => validateImpairment({ duplicatePct: 1, corruptPct: 1 }, 'netem')).not.toThrow();
  });

  it.each([
    ['duplicatePct', 'duplicate'],
    ['corruptPct', 'corrupt'],
  ] as const)('refuses %s on the userspace backend, naming the option and the fix', (field, key) => {
    const attempt = () => validateImpairment({ [field]: 1 }, 'userspace');
    expect(attempt).toThrow(UnsupportedImpairment);
    try {
      attempt();
    } catch (error) {
      const unsupported = error as UnsupportedImpairment;
      expect(unsupported).toMatchObject({ field, key, backend: 'userspace' });
      expect(unsupported.message).toBe(`${key} is not supported by the userspace impairment backend: only the kernel's sch_netem can ${key} packets, and this host has none`);
      expect(unsupported.format()).toContain(`fix: run the lab on a host whose kernel has sch_netem (\`modprobe sch_netem\`), or remove \`${key}:\``);
    }
  });

  it('accepts 0% duplicate or corrupt on userspace: nothing to do', () => {
    expect(() => validateImpairment({ duplicatePct: 0, corruptPct: 0 }, 'userspace')).not.toThrow();
  });

  it('refuses contradictory settings on either backend', () => {
    expect(() => validateImpairment({ reorderPct: 5 }, 'netem')).toThrow(InvalidImpairment);
    expect(() => validateImpairment({ reorderPct: 5 }, 'userspace')).toThrow('reorder sends some packets without the delay so they overtake the others, but no delay is set');
  });
});
