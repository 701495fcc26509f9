import type { Workload } from './workload.js';
import { blast } from './blast.js';
import { bulk } from './bulk.js';
import { probe } from './probe.js';

export const workloads: ReadonlyMap<string, Workload> = new Map([probe, bulk, blast].map((w) => [w.name, w]));
