import { fileURLToPath } from 'node:url';
import path from 'node:path';

// dist/orchestrator/images/ or orchestrator/images/ -> the repository root either way.
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../../..') : path.resolve(here, '../..');
export const baseDir = path.join(repoRoot, 'images', 'base');
export const agentDir = path.join(repoRoot, 'images', 'agent');
