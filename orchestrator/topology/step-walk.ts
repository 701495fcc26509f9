// Every step of an experiment with its place in the document: `steps`, `warmup` and the
// children of `parallel` groups, so checks look at all of them the same way.
import type { PathSegment } from './doc-path.js';
import type { StepDocument, TopologyDocument } from './normalize.js';
import type { StepDef, Topology } from './types.js';

export interface Located<S> {
  step: S;
  path: PathSegment[];
  /** The list the step belongs to (`wait` sees only the names before it in the same list). */
  list: 'steps' | 'warmup';
}

const LISTS = ['warmup', 'steps'] as const;

function walk<S extends { parallel?: S[] } | StepDef>(lists: Record<(typeof LISTS)[number], S[] | undefined>, children: (s: S) => S[] | undefined): Located<S>[] {
  const out: Located<S>[] = [];
  for (const list of LISTS) {
    (lists[list] ?? []).forEach((step, i) => {
      const path: PathSegment[] = ['experiment', list, i];
      out.push({ step, path, list });
      (children(step) ?? []).forEach((child, j) => out.push({ step: child, path: [...path, 'parallel', j], list }));
    });
  }
  return out;
}

export const documentSteps = (document: TopologyDocument): Located<StepDocument>[] =>
  walk<StepDocument>({ steps: document.experiment?.steps, warmup: document.experiment?.warmup }, (s) => s.parallel);

export const modelSteps = (topology: Topology): Located<StepDef>[] =>
  walk<StepDef>({ steps: topology.experiment?.steps, warmup: topology.experiment?.warmup }, (s) => (s.kind === 'parallel' ? s.steps : undefined));
