import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import type { AgentRole } from './role.js';

// Forwarding itself is the kernel's job (ip_forward is set at container creation); the router
// also answers echo so a path can be probed hop by hop.
export const router: AgentRole = {
  name: 'router',
  async start() {
    const stops = await Promise.all([startEcho(), startBulkServices()]);
    return () => stops.forEach((stop) => stop());
  },
};
