// Models beside measurements: an experiment's `expect:` gives, per metric, the value the
// lecture's formula predicts at each parameter point; summary rows carry it and the ratio
// measured/expected.
import type { SummaryRow } from '../results/summary.js';
import type { LinkImpairment } from '../impairment/spec.js';
import type { Topology } from '../topology/types.js';
import { evaluate } from './expression.js';
import { delayTable, rttNames } from './paths.js';
import { networkSettings, type ParameterPoint } from './plan.js';
import { labelledSteps } from './schedule.js';
import { distributionNames } from '../p2p/names.js';

/** Network values as formulas use them: times in ms, rates in Mbit/s, shares in percent. */
const UNITS: Partial<Record<keyof LinkImpairment, [string, number]>> = {
  delayUs: ['delay', 1000],
  jitterUs: ['jitter', 1000],
  lossPct: ['loss', 1],
  rateBps: ['rate', 1e6],
  duplicatePct: ['duplicate', 1],
  corruptPct: ['corrupt', 1],
  reorderPct: ['reorder', 1],
};

/** Every name an expression may use at one point: params (default or swept), each network's values, rtt.A.B. */
export function namesAt(topology: Topology, point: ParameterPoint): Record<string, number> {
  const names: Record<string, number> = {};
  for (const [key, value] of Object.entries(topology.params)) if (typeof value === 'number') names[`params.${key}`] = value;
  for (const [key, value] of Object.entries(point)) if (key.startsWith('params.') && typeof value === 'number') names[key] = value;
  const swept = networkSettings(point);
  Object.assign(names, rttNames(topology, delayTable(topology, swept)), distributionNames(topology));
  for (const network of topology.networks) {
    const values = { ...network.impairment, ...swept.get(network.name) };
    for (const [field, [name, divisor]] of Object.entries(UNITS) as [keyof LinkImpairment, [string, number]][]) {
      names[`networks.${network.name}.${name}`] = ((values[field] as number | undefined) ?? 0) / divisor;
    }
  }
  return names;
}

/**
 * The summary with `expected` and `ratio` (mean / expected) on every row whose metric has an
 * expectation: the step's own `expect:`, else the experiment's.
 */
export function withExpectations(rows: SummaryRow[], topology: Topology): SummaryRow[] {
  const experiment = topology.experiment;
  if (!experiment) return rows;
  const steps = labelledSteps(experiment);
  const names = new Map<string, Record<string, number>>();
  const namesFor = (point: ParameterPoint) => {
    const key = JSON.stringify(point);
    if (!names.has(key)) names.set(key, namesAt(topology, point));
    return names.get(key)!;
  };
  return rows.map((row) => {
    const step = steps.get(row.step);
    const formula = (step?.kind === 'workload' ? step.expect?.[row.metric] : undefined) ?? experiment.expect[row.metric];
    if (formula === undefined) return row;
    const expected = evaluate(formula, namesFor(row.point));
    // A ratio to zero says nothing (0% loss expected): the row keeps its expected value only.
    return expected === 0 ? { ...row, expected } : { ...row, expected, ratio: row.mean / expected };
  });
}
