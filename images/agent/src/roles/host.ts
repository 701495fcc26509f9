import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import type { AgentRole } from './role.js';

export const host: AgentRole = {
  name: 'host',
  async start() {
    const stops = await Promise.all([startEcho(), startBulkServices()]);
    return () => stops.forEach((stop) => stop());
  },
};
