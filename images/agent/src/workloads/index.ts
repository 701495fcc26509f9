import type { Workload } from './workload.js';
import { probe } from './probe.js';

export const workloads: ReadonlyMap<string, Workload> = new Map([probe].map((w) => [w.name, w]));
