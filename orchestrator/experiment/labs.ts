// Where runs get their lab. With `reuse-lab` (the default) one lab serves every run; without it
// each run gets a fresh one (its predecessor retired first), so no state — a warm cache, a
// learned route — carries over from one run to the next.
import type { Lab } from '../deploy/lab.js';
import type { PlannedRun } from './plan.js';
import type { LabProvider } from './runner.js';

export interface LabLifecycle {
  deploy(index: number): Promise<Lab>;
  /** Before a lab goes: keep its logs, stop its captures, destroy it. */
  retire(lab: Lab, index: number): Promise<void>;
}

export interface LabSession extends LabProvider {
  /** Labs deployed so far (1-based index of the current one). */
  readonly deployed: number;
  /** Retires the current lab, if any. Idempotent. */
  close(): Promise<void>;
}

export function labSession(reuse: boolean, life: LabLifecycle): LabSession {
  let current: Lab | undefined;
  let forRun: PlannedRun | undefined;
  let deployed = 0;
  const close = async () => {
    const lab = current;
    current = undefined;
    if (lab) await life.retire(lab, deployed);
  };
  return {
    get deployed() {
      return deployed;
    },
    async acquire(run) {
      if (current && (reuse || run === forRun)) {
        forRun = run;
        return { lab: current, fresh: false };
      }
      await close();
      deployed++;
      current = await life.deploy(deployed);
      forRun = run;
      return { lab: current, fresh: true };
    },
    close,
  };
}
