import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, chooseBackend } from '../../../orchestrator/impairment/backend.js';

const full = { netem: true, netemSeed: false, tbf: true, ifb: true, nfqueue: true };
const noNetem = { ...full, netem: false };

describe('impairment backend choice', () => {
  it('auto prefers netem and falls back to userspace', () => {
    expect(chooseBackend('auto', full)).toBe('netem');
    expect(chooseBackend('auto', noNetem)).toBe('userspace');
  });

  it('refuses netem on a kernel without sch_netem, naming the module and the fix', () => {
    expect(() => chooseBackend('netem', noNetem)).toThrow(BackendUnavailableError);
    expect(() => chooseBackend('netem', noNetem)).toThrow(/sch_netem.*\n.*--impairment-backend userspace/);
  });

  it('honours an explicit userspace request even where netem exists', () => {
    expect(chooseBackend('userspace', full)).toBe('userspace');
  });

  it('says what is missing when neither backend can run', () => {
    expect(() => chooseBackend('auto', { ...noNetem, nfqueue: false })).toThrow(/sch_netem is missing, and the userspace backend needs NFQUEUE/);
  });
});
