import type { Lab } from '../../orchestrator/deploy/lab.js';
import type { RunEvent, RunSink } from '../../orchestrator/experiment/runner.js';
import type { Measurement } from '../../orchestrator/results/measurement.js';
import type { ExperimentDef } from '../../orchestrator/topology/types.js';

/** An experiment with the defaults normalize() gives. */
export const experimentDef = (e: Partial<ExperimentDef>): ExperimentDef => ({ seed: 1, repeat: 1, steps: [], warmup: [], sweep: [], expect: {}, reuseLab: true, capture: [], ...e });

/** Collects what a run reports, in memory. */
export class MemorySink implements RunSink {
  rows: Measurement[] = [];
  events: RunEvent[] = [];
  measurement(m: Measurement) { this.rows.push(m); }
  event(e: RunEvent) { this.events.push(e); }
}

/** One lab for every run, as `reuse-lab: true` does. */
export const oneLab = (lab: Lab) => {
  let first = true;
  return { acquire: async () => { const fresh = first; first = false; return { lab, fresh }; } };
};
