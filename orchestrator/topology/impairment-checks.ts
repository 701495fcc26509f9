// Semantic checks of link impairments and `impair` steps: what the schema cannot express
// (references to networks and members, settings that need another one, settings that can only
// be judged once a network's values and a member's overrides are combined).
import { accumulateChange, effectiveImpairment } from '../impairment/effective.js';
import { SETTINGS, settingKey, type SettingKey } from '../impairment/settings.js';
import type { ImpairmentChange, LinkImpairment } from '../impairment/spec.js';
import { impairmentProblems, type ImpairmentProblem } from '../impairment/validate.js';
import type { CheckContext } from './checks.js';
import { closestName } from './closest-name.js';
import { keyAt, valueAt, type PathSegment } from './doc-path.js';
import { documentSteps, modelSteps } from './step-walk.js';
import type { Diagnostic, ImpairStep, Topology } from './types.js';

type Check = (context: CheckContext) => Diagnostic[];

/** `impair` steps with their place in the document. */
function impairSteps(topology: Topology): { step: ImpairStep; path: PathSegment[] }[] {
  return modelSteps(topology).flatMap(({ step, path }) => (step.kind === 'impair' ? [{ step, path }] : []));
}

const membersOf = (topology: Topology, network: string) => topology.nodes.filter((n) => n.attachments.some((a) => a.network === network)).map((n) => n.name);

export const resetsStandAlone: Check = ({ document, report }) =>
  documentSteps(document).flatMap(({ step, path }) => {
    const impair = step.impair;
    if (impair?.reset !== true) return [];
    const others = (Object.keys(SETTINGS) as SettingKey[]).filter((key) => impair[key] !== undefined);
    if (others.length === 0) return [];
    return [
      report(
        keyAt([...path, 'impair', 'reset']),
        `\`reset: true\` restores the topology's values and takes no other settings; found ${others.join(', ')}`,
        'put the new settings in a step after the reset',
      ),
    ];
  });

export const changesSayRateOnce: Check = ({ document, report }) =>
  documentSteps(document).flatMap(({ step, path }) =>
    step.impair?.rate !== undefined && step.impair.upload !== undefined
      ? [report(keyAt([...path, 'impair', 'upload']), '`rate` and `upload` both set: in a step both are the egress rate of the members changed', 'keep one of them')]
      : [],
  );

export const impairStepsNameKnownNetworks: Check = ({ topology, report }) => {
  const known = topology.networks.map((n) => n.name);
  return impairSteps(topology).flatMap(({ step, path }) => {
    if (known.includes(step.network)) return [];
    const suggestion = closestName(step.network, known);
    return [
      report(
        valueAt([...path, 'impair', 'network']),
        `unknown network "${step.network}"; expected one of [${known.join(', ')}]`,
        suggestion === undefined ? 'use the name of a network declared under `networks:`' : `did you mean "${suggestion}"?`,
      ),
    ];
  });
};

export const impairStepsNameMembers: Check = ({ topology, report }) =>
  impairSteps(topology).flatMap(({ step, path }) => {
    if (step.node === undefined || !topology.networks.some((n) => n.name === step.network)) return [];
    const members = membersOf(topology, step.network);
    if (members.includes(step.node)) return [];
    const where = valueAt([...path, 'impair', 'node']);
    if (!topology.nodes.some((n) => n.name === step.node)) {
      const suggestion = closestName(step.node, members);
      return [report(where, `unknown node "${step.node}"; members of network "${step.network}" are [${members.join(', ')}]`, suggestion === undefined ? undefined : `did you mean "${suggestion}"?`)];
    }
    return [
      report(
        where,
        `node "${step.node}" is not a member of network "${step.network}" (members: [${members.join(', ')}])`,
        `name one of its members, or leave out \`node:\` to change every member`,
      ),
    ];
  });

/** On each network, then on each member (network values + its overrides): settings that need another. */
export const impairmentsAreConsistent: Check = ({ topology, report }) =>
  topology.networks.flatMap((network) => {
    const own = impairmentProblems(network.impairment);
    const atNetwork = own.map((p) => report(valueAt(['networks', network.name, settingKey(p.field)]), p.message, p.hint));
    const atMembers = topology.nodes.flatMap((node) =>
      node.attachments
        .filter((a) => a.network === network.name)
        .flatMap((attachment) =>
          impairmentProblems(effectiveImpairment(network.impairment, attachment.impairment))
            .filter((p) => attachment.impairment[p.field] !== undefined || !own.some((o) => o.field === p.field))
            .map((p) => {
              const entry = ['nodes', node.name, 'networks', network.name];
              if (attachment.impairment[p.field] !== undefined) return report(valueAt([...entry, settingKey(p.field, 'attachment')]), p.message, p.hint);
              return report(keyAt(entry), `on node "${node.name}", with network "${network.name}"'s values: ${p.message}`, p.hint);
            }),
        ),
    );
    return [...atNetwork, ...atMembers];
  });

/**
 * Replays the `impair` steps in the order written (changes accumulate) and reports each problem
 * a step introduces, at the key that causes it, or at the step when it comes from what it removed.
 */
export const impairStepsAreConsistent: Check = ({ topology, report }) => {
  const changes = new Map<string, ImpairmentChange>();
  return impairSteps(topology).flatMap(({ step, path }) => {
    const network = topology.networks.find((n) => n.name === step.network);
    if (network === undefined) return [];
    const introduced = new Map<keyof LinkImpairment, ImpairmentProblem>();
    for (const node of topology.nodes) {
      const attachment = node.attachments.find((a) => a.network === step.network);
      if (attachment === undefined || (step.node !== undefined && step.node !== node.name)) continue;
      const key = `${node.name} ${step.network}`;
      const before = impairmentProblems(effectiveImpairment(network.impairment, attachment.impairment, changes.get(key)));
      const change = accumulateChange(changes.get(key), step.change);
      changes.set(key, change);
      for (const problem of impairmentProblems(effectiveImpairment(network.impairment, attachment.impairment, change))) {
        if (!before.some((b) => b.field === problem.field)) introduced.set(problem.field, problem);
      }
    }
    const set = step.change.set ?? {};
    return [...introduced.values()].map((p) =>
      set[p.field] !== undefined
        ? report(valueAt([...path, 'impair', settingKey(p.field)]), p.message, p.hint)
        : report(keyAt([...path, 'impair']), `after this step: ${p.message}`, p.hint),
    );
  });
};

/** In the order they run, after the checks of networks, nodes and workload steps. */
export const impairmentChecks: readonly Check[] = [
  impairmentsAreConsistent,
  resetsStandAlone,
  changesSayRateOnce,
  impairStepsNameKnownNetworks,
  impairStepsNameMembers,
  impairStepsAreConsistent,
];
