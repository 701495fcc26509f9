// Checks of file distribution nodes at load time, so a bad `file:` or a missing tracker is a
// located topology error (file:line:col) rather than a failure when the lab is planned.
import { fileSpec, planP2p } from '../p2p/plan.js';
import type { CheckContext } from './checks.js';
import { keyAt, valueAt } from './doc-path.js';
import { PlanError } from './errors.js';
import type { Diagnostic } from './types.js';

const problem = (e: unknown) => (e instanceof PlanError ? e : undefined);

export function p2pNodesAreValid({ topology, report }: CheckContext): Diagnostic[] {
  const servers = topology.nodes.filter((n) => n.role === 'file-server');
  const bad = servers.flatMap((node) => {
    try {
      fileSpec(node);
      return [];
    } catch (e) {
      const p = problem(e);
      if (!p) throw e;
      const at = node.config.file === undefined ? keyAt(['nodes', node.name, 'role']) : valueAt(['nodes', node.name, 'config', 'file']);
      return [report(at, p.message, p.hint)];
    }
  });
  if (bad.length > 0) return bad;
  try {
    planP2p(topology.nodes);
    return [];
  } catch (e) {
    const p = problem(e);
    if (!p) throw e;
    const node = /^nodes\.([^.:]+)/.exec(p.message)?.[1];
    return [report(keyAt(node ? ['nodes', node, 'role'] : ['nodes']), p.message, p.hint)];
  }
}
