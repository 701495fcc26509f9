import type { Workload } from './workload.js';
import { blast } from './blast.js';
import { bulk } from './bulk.js';
import { dnsLookup } from './dns-lookup.js';
import { dnsFlush, dnsStats } from './dns-stats.js';
import { probe } from './probe.js';

export const workloads: ReadonlyMap<string, Workload> = new Map([probe, bulk, blast, dnsLookup, dnsStats, dnsFlush].map((w) => [w.name, w]));
