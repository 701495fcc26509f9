// sweep × repeat -> the list of runs, each with its own seed. Pure: `--dry-run` prints it.
import { parseSettings, type ImpairmentSettings, type SettingKey } from '../impairment/settings.js';
import type { LinkImpairment } from '../impairment/spec.js';
import type { ExperimentDef, ParamValue, SweepDef } from '../topology/types.js';
import { deriveSeed } from './seeds.js';

/** One combination of swept values (empty when nothing is swept). */
export type ParameterPoint = Record<string, ParamValue>;

export interface PlannedRun {
  /** 1-based index of the parameter point. */
  point: number;
  values: ParameterPoint;
  repetition: number;
  seed: number;
}

/** The cartesian product, in the order written: the first key changes slowest. */
export function parameterPoints(sweep: SweepDef[]): ParameterPoint[] {
  return sweep.reduce<ParameterPoint[]>((points, { key, values }) => points.flatMap((p) => values.map((v) => ({ ...p, [key]: v }))), [{}]);
}

/**
 * Every point, `repeat` times. Without a sweep the seeds are those of plain repetitions; with
 * one, each (point, repetition) has its own, so adding a value to a sweep changes no other run.
 */
export function planRuns(experiment: ExperimentDef): PlannedRun[] {
  return parameterPoints(experiment.sweep).flatMap((values, i) =>
    Array.from({ length: experiment.repeat }, (_, r) => ({
      point: i + 1,
      values,
      repetition: r + 1,
      seed: experiment.sweep.length === 0 ? deriveSeed(experiment.seed, r + 1) : deriveSeed(experiment.seed, r + 1, JSON.stringify(values)),
    })),
  );
}

/** The impairment each swept network gets at a point: network name -> settings to set. */
export function networkSettings(values: ParameterPoint): Map<string, LinkImpairment> {
  const byNetwork = new Map<string, ImpairmentSettings>();
  for (const [key, value] of Object.entries(values)) {
    const [scope, network = '', setting = ''] = key.split('.');
    if (scope !== 'networks') continue;
    byNetwork.set(network, { ...byNetwork.get(network), [setting as SettingKey]: value });
  }
  return new Map([...byNetwork].map(([network, settings]) => [network, parseSettings(settings)]));
}

/** Step args with every `${params.NAME}` replaced; a value that is exactly one reference keeps its type. */
export function resolveParams(args: unknown, params: Record<string, ParamValue>): unknown {
  if (typeof args === 'string') {
    const whole = /^\$\{params\.([a-z][a-z0-9_-]*)\}$/.exec(args);
    if (whole) return lookup(params, whole[1]!);
    return args.replace(/\$\{params\.([a-z][a-z0-9_-]*)\}/g, (_, name: string) => String(lookup(params, name)));
  }
  if (Array.isArray(args)) return args.map((a) => resolveParams(a, params));
  if (args !== null && typeof args === 'object') return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, resolveParams(v, params)]));
  return args;
}

function lookup(params: Record<string, ParamValue>, name: string): ParamValue {
  const value = params[name];
  if (value === undefined) throw new Error(`\${params.${name}} is used in a step but \`params:\` does not declare ${name}; declared: [${Object.keys(params).join(', ')}]`);
  return value;
}

export class FilterError extends Error {}

/**
 * The runs that match every `KEY=VALUE[,VALUE…]` filter (`--filter`): KEY is a swept key,
 * `point` or `repetition`. Unknown keys and values that match nothing are errors, not empty runs.
 */
export function filterRuns(runs: PlannedRun[], filters: string[], sweep: SweepDef[]): PlannedRun[] {
  const keys = ['point', 'repetition', ...sweep.map((s) => s.key)];
  return filters.reduce((selected, filter) => {
    const eq = filter.indexOf('=');
    const key = filter.slice(0, eq);
    if (eq < 1 || !keys.includes(key)) throw new FilterError(`--filter ${JSON.stringify(filter)}: expected KEY=VALUE with KEY one of [${keys.join(', ')}]`);
    const wanted = filter.slice(eq + 1).split(',');
    const valueOf = (r: PlannedRun) => String(key === 'point' ? r.point : key === 'repetition' ? r.repetition : r.values[key]);
    const known = [...new Set(runs.map(valueOf))];
    const unknown = wanted.filter((w) => !known.includes(w));
    if (unknown.length > 0) throw new FilterError(`--filter ${key}: no run has ${unknown.map((u) => JSON.stringify(u)).join(', ')}; its values are [${known.join(', ')}]`);
    return selected.filter((r) => wanted.includes(valueOf(r)));
  }, runs);
}
