import type { AgentRole } from './role.js';
import { dnsResolver } from './dns-resolver.js';
import { dnsAuth, dnsRoot, dnsTld } from './dns-server.js';
import { host } from './host.js';
import { router } from './router.js';

export const roles: ReadonlyMap<string, AgentRole> = new Map([host, router, dnsRoot, dnsTld, dnsAuth, dnsResolver].map((r) => [r.name, r]));
