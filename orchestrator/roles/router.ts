import type { RoleDescriptor } from './role.js';

export const router: RoleDescriptor = {
  name: 'router',
  summary: 'forwards packets between its networks along the computed static routes',
  forwards: true,
  capabilities: ['NET_ADMIN', 'NET_RAW'],
  sysctls: {
    'net.ipv4.ip_forward': '1',
    // Redirects would let hosts shortcut the topology's paths; the lab must follow them exactly.
    'net.ipv4.conf.all.send_redirects': '0',
    'net.ipv4.conf.default.send_redirects': '0',
  },
};
