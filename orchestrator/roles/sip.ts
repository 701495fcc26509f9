import type { RoleDescriptor } from './role.js';

// SIP roles: the agent serves SIP on UDP 5060 and RTP on ephemeral UDP ports. Their settings
// (domain, users, proxy, answer delay…) are node.config, checked by the agent at start-up
// (images/agent/src/sip/config.ts), so these only say what the container needs.
const sipRole = (name: string, summary: string): RoleDescriptor => ({ name, summary, forwards: false, capabilities: ['NET_ADMIN', 'NET_RAW'], sysctls: {} });

export const sipProxy = sipRole('sip-proxy', 'a SIP registrar and stateful proxy for one domain (config: domain, users, routes to other domains\' proxies)');
export const sipUa = sipRole('sip-ua', 'a SIP phone: registers with its domain\'s proxy, answers calls, places them with the sip-call workload (config: user, domain, proxy)');
