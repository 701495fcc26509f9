import type { ImpairmentBackend } from './spec.js';

export type BackendRequest = 'auto' | ImpairmentBackend;

/** What the kernel probe found (see doctor.ts: each feature is tried for real in a container). */
export interface KernelFeatures {
  netem: boolean;
  /** tc and the kernel accept `netem … seed N` (iproute2 and Linux >= 6.6): netem's loss repeats. */
  netemSeed: boolean;
  tbf: boolean;
  ifb: boolean;
  nfqueue: boolean;
}

export class BackendUnavailableError extends Error {}

/**
 * Picks the impairment backend. `auto` prefers the kernel's netem and falls back to the
 * userspace delayer; asking for a backend the kernel cannot run is an error with the fix,
 * never a silent run without impairment.
 */
export function chooseBackend(request: BackendRequest, kernel: KernelFeatures): ImpairmentBackend {
  const userspaceMissing = [!kernel.nfqueue && 'NFQUEUE target (nfnetlink_queue, xt_NFQUEUE)', !kernel.tbf && 'tbf qdisc (sch_tbf)'].filter(Boolean);
  if (request === 'netem' || (request === 'auto' && kernel.netem)) {
    if (!kernel.netem) {
      throw new BackendUnavailableError(
        'the netem impairment backend needs the sch_netem kernel module, which this kernel does not have\n' +
          '    fix: `modprobe sch_netem` (Fedora/RHEL: install kernel-modules-extra), or use --impairment-backend userspace',
      );
    }
    return 'netem';
  }
  if (userspaceMissing.length > 0) {
    throw new BackendUnavailableError(
      `${request === 'auto' ? 'no impairment backend can run here: sch_netem is missing, and ' : ''}the userspace backend needs ${userspaceMissing.join(' and ')}\n` +
        '    fix: load the missing modules, or run emunet on a host whose kernel has them (see `emunet doctor`)',
    );
  }
  return 'userspace';
}
