import type { RoleDescriptor } from './role.js';

// DNS roles: the agent serves port 53 (UDP and TCP); the orchestrator computes each one's zones
// or root hints from the topology (orchestrator/dns/), so these only say what the container needs.
const dnsRole = (name: string, summary: string): RoleDescriptor => ({ name, summary, forwards: false, capabilities: ['NET_ADMIN', 'NET_RAW'], sysctls: {} });

export const dnsRoot = dnsRole('dns-root', 'a root name server: serves the root zone, with a delegation and glue for every TLD in the lab');
export const dnsTld = dnsRole('dns-tld', 'a top-level-domain server: serves its TLD zones, delegating to the lab\'s authoritative servers');
export const dnsAuth = dnsRole('dns-auth', 'an authoritative name server for the zones in its config (primary or replica)');
export const dnsAttacker = dnsRole('dns-attacker', 'a malicious name server for its own zones: injects out-of-bailiwick additional records, and spoofs answers off-path (the dns-poison workload)');
export const dnsResolver = dnsRole('dns-resolver', 'the local DNS server: a caching resolver, iterative from the lab\'s root (or recursive through it)');
