import type { Workload } from './workload.js';
import { blast } from './blast.js';
import { bulk } from './bulk.js';
import { dhtLookup, dhtPut } from './dht-lookup.js';
import { dhtJoin, dhtLeave } from './dht-membership.js';
import { dhtSetup, dhtWaitStable } from './dht-ring.js';
import { dnsLookup } from './dns-lookup.js';
import { dnsFlush, dnsStats } from './dns-stats.js';
import { dnsPoison } from './dns-poison.js';
import { httpFetch } from './http-fetch.js';
import { httpFlush, httpStats } from './http-stats.js';
import { httpZipf } from './http-zipf.js';
import { probe } from './probe.js';
import { p2pCall } from './p2p-call.js';
import { p2pDistribute } from './p2p-distribute.js';
import { sipCall } from './sip-call.js';

export const workloads: ReadonlyMap<string, Workload> = new Map([probe, bulk, blast, dnsLookup, dnsStats, dnsFlush, dnsPoison, sipCall, dhtSetup, dhtWaitStable, dhtPut, dhtLookup, dhtLeave, dhtJoin, httpFetch, httpStats, httpFlush, httpZipf, p2pDistribute, p2pCall].map((w) => [w.name, w]));
