import type { RoleDescriptor } from './role.js';

export const host: RoleDescriptor = {
  name: 'host',
  summary: 'an end host that runs workloads and answers UDP/TCP echo probes',
  forwards: false,
  capabilities: ['NET_ADMIN', 'NET_RAW'],
  sysctls: {},
};
