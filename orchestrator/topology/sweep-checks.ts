// Checks of `experiment.sweep`: every swept key names something that exists, and every value is
// one that key accepts, so a long sweep never fails at its 40th point over a typo.
import { parseSettings, SETTINGS_ON, type ImpairmentSettings, type SettingKey } from '../impairment/settings.js';
import { namesAt } from '../experiment/expect.js';
import { evaluate } from '../experiment/expression.js';
import { parameterPoints } from '../experiment/plan.js';
import type { CheckContext } from './checks.js';
import { closestName } from './closest-name.js';
import { keyAt, valueAt, type PathSegment } from './doc-path.js';
import { modelSteps } from './step-walk.js';
import type { Diagnostic } from './types.js';

export function sweepKeysAndValuesAreKnown({ topology, report }: CheckContext): Diagnostic[] {
  const sweep = topology.experiment?.sweep ?? [];
  return sweep.flatMap(({ key, values }) => {
    const at = keyAt(['experiment', 'sweep', key]);
    const [scope, name = '', setting = ''] = key.split('.');
    if (scope === 'params') {
      const declared = Object.keys(topology.params);
      return name in topology.params
        ? []
        : [report(at, `sweeps params.${name}, which \`params:\` does not declare; declared: [${declared.join(', ')}]`, `add \`params: { ${name}: ${JSON.stringify(values[0])} }\` (its default when not swept)`)];
    }
    const networks = topology.networks.map((n) => n.name);
    if (!networks.includes(name)) {
      const close = closestName(name, networks);
      return [report(at, `sweeps network "${name}", which is not defined; expected one of [${networks.join(', ')}]`, close ? `did you mean "networks.${close}.${setting}"?` : undefined)];
    }
    if (!(SETTINGS_ON.network as readonly string[]).includes(setting)) {
      return [report(at, `"${setting}" is not an impairment key of a network; expected one of [${SETTINGS_ON.network.join(', ')}]`)];
    }
    return values.flatMap((value, i) => {
      try {
        parseSettings({ [setting as SettingKey]: value } as ImpairmentSettings);
        return [];
      } catch (e) {
        return [report(valueAt(['experiment', 'sweep', key, i]), (e as Error).message)];
      }
    });
  });
}

/** Every `expect:` formula (the experiment's and the steps') parses and uses only names it will have, checked at every point. */
export function expectationsAreComputable({ topology, report }: CheckContext): Diagnostic[] {
  const experiment = topology.experiment;
  if (!experiment) return [];
  const formulas = [
    ...Object.entries(experiment.expect).map(([metric, formula]) => ({ formula, at: ['experiment', 'expect', metric] as PathSegment[] })),
    ...modelSteps(topology).flatMap(({ step, path }) => (step.kind === 'workload' ? Object.entries(step.expect ?? {}).map(([metric, formula]) => ({ formula, at: [...path, 'expect', metric] })) : [])),
  ];
  if (formulas.length === 0) return [];
  let names: Record<string, number>[];
  try {
    names = parameterPoints(experiment.sweep).map((p) => namesAt(topology, p));
  } catch {
    return []; // a swept value that does not parse: sweepKeysAndValuesAreKnown says which
  }
  return formulas.flatMap(({ formula, at }) => {
    for (const table of names) {
      try {
        evaluate(formula, table);
      } catch (e) {
        return [report(valueAt(at), (e as Error).message, 'use params.NAME (numbers declared under `params:`), networks.NET.KEY (delay, jitter in ms; rate in Mbit/s; loss in %) and rtt.A.B (ms between nodes A and B)')];
      }
    }
    return [];
  });
}
