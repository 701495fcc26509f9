import type { AgentRole } from './role.js';
import { host } from './host.js';
import { router } from './router.js';

export const roles: ReadonlyMap<string, AgentRole> = new Map([host, router].map((r) => [r.name, r]));
