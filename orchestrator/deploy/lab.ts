import type { ImpairmentBackend } from '../impairment/spec.js';
import type { LabPlan, PlannedInterface } from '../topology/types.js';

/** A deployed lab: what exists in the engine, by name and id. Holds no engine objects. */
export interface Lab {
  name: string;
  plan: LabPlan;
  image: string;
  /** How this lab's links are impaired. */
  impairmentBackend: ImpairmentBackend | 'none';
  /** Whether the impairment's random choices (loss, jitter) repeat from the recorded seed. */
  impairmentSeeded: boolean;
  networks: { name: string; id: string; subnet: string; bridge: string }[];
  nodes: { name: string; role: string; id: string; interfaces: PlannedInterface[] }[];
  timings: { networksMs: number; containersMs: number; readyMs: number; totalMs: number };
}

/** What the pipeline stages say about their progress; the CLI decides how it looks. */
export interface Reporter {
  info(message: string): void;
  /** A step finished: "deployed lab hello: 3 nodes, 2 networks (2.1 s)". */
  done(message: string): void;
  /** Progress within a step, e.g. containers started. */
  progress(label: string, done: number, total: number): void;
}

export const silentReporter: Reporter = { info: () => undefined, done: () => undefined, progress: () => undefined };
