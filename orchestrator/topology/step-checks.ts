// Checks of an experiment's steps that the schema cannot express: one kind per step, names that
// `wait` can find, nodes and networks that exist, capture targets on real interfaces.
import type { CheckContext } from './checks.js';
import { closestName } from './closest-name.js';
import { keyAt, valueAt } from './doc-path.js';
import { FAULT_KEYS, type StepDocument } from './normalize.js';
import { documentSteps, modelSteps } from './step-walk.js';
import type { Diagnostic } from './types.js';

type Check = (context: CheckContext) => Diagnostic[];

/** The keys that say what a step is; a workload step is the one with none of them. */
const SELECTORS = ['parallel', 'wait', 'impair', ...FAULT_KEYS] as const;
const WORKLOAD_KEYS = ['node', 'run', 'args'] as const;

const stepsAreOneKind: Check = ({ document, report }) =>
  documentSteps(document).flatMap(({ step, path }) => {
    const selectors = SELECTORS.filter((key) => step[key as keyof StepDocument] !== undefined);
    const first = selectors[0];
    if (first === undefined) return [];
    const others = [...selectors.slice(1), ...WORKLOAD_KEYS.filter((key) => step[key] !== undefined)];
    if (others.length === 0) return [];
    const what = first === 'impair' ? 'changes impairments (`impair`)' : first === 'parallel' ? 'starts a group (`parallel`)' : first === 'wait' ? 'waits (`wait`)' : `injects a fault (\`${first}: NODE\`)`;
    return [report(keyAt([...path, first]), `a step does one thing: this one ${what} and also has ${others.join(', ')}`, 'split it into separate steps, one after the other')];
  });

const stepsNameKnownNodes: Check = ({ topology, report }) => {
  const known = topology.nodes.map((n) => n.name);
  return modelSteps(topology).flatMap(({ step, path }) => {
    if ((step.kind !== 'workload' && step.kind !== 'fault') || known.includes(step.node)) return [];
    const suggestion = closestName(step.node, known);
    return [
      report(
        valueAt([...path, step.kind === 'fault' ? step.action : 'node']),
        `unknown node "${step.node}"; expected one of [${known.join(', ')}]`,
        suggestion === undefined ? 'use the name of a node declared under `nodes:`' : `did you mean "${suggestion}"?`,
      ),
    ];
  });
};

/** Names are unique in their list; `wait` names only steps written before it in the same list. */
const waitsNameEarlierSteps: Check = ({ topology, report }) => {
  const seen = { steps: new Set<string>(), warmup: new Set<string>() };
  return modelSteps(topology).flatMap(({ step, path, list }) => {
    const names = seen[list];
    const problems: Diagnostic[] = [];
    if (step.kind === 'wait' && step.for !== 'all') {
      step.for.forEach((name, i) => {
        if (names.has(name)) return;
        const close = closestName(name, [...names]);
        problems.push(report(valueAt([...path, 'wait', i]), `waits for "${name}", but no step before it in \`${list}\` has that name; named so far: [${[...names].join(', ')}]`, close ? `did you mean "${close}"?` : 'give the step to wait for `name: ' + name + '`'));
      });
    }
    if (step.name !== undefined) {
      if (names.has(step.name)) problems.push(report(valueAt([...path, 'name']), `step name "${step.name}" is used twice in \`${list}\``, 'give each step its own name'));
      names.add(step.name);
    }
    return problems;
  });
};

const captureTargetsExist: Check = ({ topology, report }) =>
  (topology.experiment?.capture ?? []).flatMap(({ node, network }, i) => {
    const at = valueAt(['experiment', 'capture', i]);
    const def = topology.nodes.find((n) => n.name === node);
    if (!def) {
      const close = closestName(node, topology.nodes.map((n) => n.name));
      return [report(at, `captures on unknown node "${node}"; expected one of [${topology.nodes.map((n) => n.name).join(', ')}]`, close ? `did you mean "${close}"?` : undefined)];
    }
    const joined = def.attachments.map((a) => a.network);
    if (network === undefined || joined.includes(network)) return [];
    return [report(at, `node "${node}" is not on network "${network}"; it is on [${joined.join(', ')}]`, `write "${node}" to capture every interface of the node`)];
  });

export const stepChecks: readonly Check[] = [stepsAreOneKind, stepsNameKnownNodes, waitsNameEarlierSteps, captureTargetsExist];
