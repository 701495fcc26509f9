import { startEcho } from '../common/echo.js';
import type { AgentRole } from './role.js';

export const host: AgentRole = {
  name: 'host',
  start: () => startEcho(),
};
