import { startEcho } from '../common/echo.js';
import type { AgentRole } from './role.js';

// Forwarding itself is the kernel's job (ip_forward is set at container creation); the router
// also answers echo so a path can be probed hop by hop.
export const router: AgentRole = {
  name: 'router',
  start: () => startEcho(),
};
