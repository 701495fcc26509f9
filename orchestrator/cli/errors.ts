import { RunFailedError } from '../api.js';
import { FilterError } from '../experiment/plan.js';
import { EngineError } from '../runtime/runtime.js';
import { PlanError, TopologyError } from '../topology/errors.js';

/** Every failure becomes a message a user can act on, never a stack trace (unless debugging). */
export function describeError(e: unknown, debug: boolean): { message: string; code: number } {
  if (e instanceof TopologyError) return { message: `invalid topology:\n${e.message}`, code: 2 };
  if (e instanceof FilterError) return { message: e.message, code: 2 };
  if (e instanceof PlanError) return { message: e.hint ? `${e.message}\n    fix: ${e.hint}` : e.message, code: 2 };
  if (e instanceof EngineError && /ECONNREFUSED|ENOENT|EACCES/.test(e.message)) {
    return { message: `cannot reach the Docker engine: ${e.message}\n    fix: run \`npm run setup\` (installs and starts Docker), or add your user to the docker group, or set DOCKER_HOST`, code: 1 };
  }
  if (e instanceof RunFailedError) return { message: `run failed: ${e.message}`, code: 1 };
  const err = e instanceof Error ? e : new Error(String(e));
  return { message: debug && err.stack ? err.stack : err.message, code: 1 };
}
