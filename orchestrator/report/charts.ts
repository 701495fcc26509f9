// Pure builders: summary rows (and raw values) -> vega-lite specs, one chart per metric.
// Fields in the generated data are fixed names (x, series, …): swept keys like
// `networks.wan.delay` contain dots, which vega-lite would read as nested field access.
import type { TopLevelSpec } from 'vega-lite';
import type { Measurement } from '../results/measurement.js';
import type { SummaryRow } from '../results/summary.js';
import type { ParamValue } from '../topology/types.js';

/** Swept keys and their values in the order written (manifest.json `sweep`). */
export type Sweep = Record<string, ParamValue[]>;

/** One measured value, as read back from measurements.csv. */
export type RawValue = Pick<Measurement, 'point' | 'step' | 'node' | 'peer' | 'metric' | 'unit' | 'value'>;

export interface MetricChart {
  metric: string;
  unit: string;
  /** Mean ± 95 % CI per point, with the model's expected values beside them when there are any. */
  means: TopLevelSpec;
  /** Box plots of the raw values per point, when raw values were given. */
  distribution?: TopLevelSpec;
}

/** The label the legend gives the `expect:` formula's values: they are the model, not a measurement. */
export const EXPECTED_LABEL = 'expected (model)';
export const MEASURED_LABEL = 'measured';

const WIDTH = 560;
const HEIGHT = 280;
/** Marks' colour when there is one series (a colour encoding overrides it). */
const SINGLE_COLOUR = '#4c78a8';

/** One chart per (metric, unit), in the order metrics first appear in the summary. */
export function metricCharts(summary: SummaryRow[], sweep: Sweep, raw: RawValue[] = []): MetricChart[] {
  const groups = new Map<string, SummaryRow[]>();
  for (const r of summary) {
    const key = JSON.stringify([r.metric, r.unit]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rows) => {
    const { metric, unit } = rows[0]!;
    const axes = chartAxes(rows, sweep);
    const values = raw.filter((v) => v.metric === metric && v.unit === unit);
    return { metric, unit, means: meansSpec(rows, axes), ...(values.length > 0 ? { distribution: distributionSpec(values, axes) } : {}) };
  });
}

/** How a metric's points map to the x axis and to colours; shared by both charts of a metric. */
export interface ChartAxes {
  /** The first swept key, or undefined: then x is node → peer. */
  xKey?: string;
  xTitle: string;
  /** x labels in sweep order (as strings; numbers stay numbers on a quantitative axis). */
  xDomain: string[];
  quantitative: boolean;
  /** The second and later swept keys that vary, and node → peer when there are several pairs. */
  seriesTitle: string;
  seriesDomain: string[];
  xOf(r: Located): string | number;
  seriesOf(r: Located): string;
}

/** What identifies a summary row or a raw value within one metric. */
type Located = Pick<SummaryRow, 'point' | 'step' | 'node' | 'peer'>;

const pairOf = (r: Pick<SummaryRow, 'node' | 'peer'>) => (r.peer ? `${r.node} → ${r.peer}` : r.node);

export function chartAxes(rows: Located[], sweep: Sweep): ChartAxes {
  // Keys the manifest lists come first, in its order; keys only found in rows follow.
  const keys = [...new Set([...Object.keys(sweep), ...rows.flatMap((r) => Object.keys(r.point))])];
  const order = (key: string) => ordered(rows.map((r) => r.point[key]).filter((v): v is ParamValue => v !== undefined), sweep[key] ?? []);
  // Two steps measuring one metric (a cold and a warm lookup) are two series, named by step.
  const steps = new Set(rows.map((r) => r.step));
  const labelOf = (r: Located) => (steps.size > 1 ? `step ${r.step}: ${pairOf(r)}` : pairOf(r));
  const pairs = [...new Set(rows.map(labelOf))];
  const [xKey, ...rest] = keys;
  const varying = rest.filter((k) => order(k).length > 1);
  const withPair = xKey !== undefined && pairs.length > 1;
  const seriesParts = [...varying, ...(withPair ? ['node → peer'] : [])];
  const seriesOf = (r: Located) =>
    [...varying.map((k) => String(r.point[k])), ...(withPair ? [labelOf(r)] : [])].join(' · ');
  const seriesDomain = seriesParts.length === 0 ? [] : orderedSeries(rows, varying, order, pairs, seriesOf);
  if (xKey === undefined) {
    return { xTitle: steps.size > 1 ? 'step: node → peer' : 'node → peer', xDomain: pairs, quantitative: false, seriesTitle: '', seriesDomain: [], xOf: labelOf, seriesOf: () => '' };
  }
  const xValues = order(xKey);
  const quantitative = xValues.every((v) => typeof v === 'number');
  return {
    xKey,
    xTitle: xKey,
    xDomain: xValues.map(String),
    quantitative,
    seriesTitle: seriesParts.join(' · '),
    seriesDomain,
    xOf: (r) => (quantitative ? Number(r.point[xKey]) : String(r.point[xKey])),
    seriesOf,
  };
}

/** The values present, in the sweep's order, then any the sweep does not list (first seen). */
function ordered(present: ParamValue[], written: ParamValue[]): ParamValue[] {
  const seen = new Set(present.map(String));
  const listed = written.filter((v) => seen.has(String(v)));
  const listedText = new Set(listed.map(String));
  const extra = [...new Map(present.filter((v) => !listedText.has(String(v))).map((v) => [String(v), v])).values()];
  return [...listed, ...extra];
}

function orderedSeries(
  rows: Located[],
  keys: string[],
  order: (key: string) => ParamValue[],
  pairs: string[],
  label: (r: Located) => string,
): string[] {
  const rank = (r: Located) => [...keys.map((k) => order(k).map(String).indexOf(String(r.point[k]))), pairs.indexOf(pairOf(r))];
  const sorted = [...rows].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    const i = ra.findIndex((v, j) => v !== rb[j]);
    return i < 0 ? 0 : ra[i]! - rb[i]!;
  });
  return [...new Set(sorted.map(label))];
}

/**
 * Where a point of the means chart sits on x. Categories are drawn on a numeric axis (index i,
 * labelled with the category) so that series can stand side by side around i: equal means do
 * not hide one another, and lines still join a series' points (vega-lite's xOffset breaks lines).
 */
export function xPosition(axes: ChartAxes, r: Located): number {
  const x = axes.xOf(r);
  if (typeof x === 'number') return x;
  const series = axes.seriesDomain.length;
  const step = Math.min(0.15, 0.6 / Math.max(1, series));
  const offset = series > 1 ? (axes.seriesDomain.indexOf(axes.seriesOf(r)) - (series - 1) / 2) * step : 0;
  return axes.xDomain.indexOf(x) + offset;
}

function xEncoding(axes: ChartAxes) {
  if (axes.quantitative) return { field: 'x', type: 'quantitative' as const, title: axes.xTitle, scale: { zero: false } };
  const k = axes.xDomain.length;
  return {
    field: 'x', type: 'quantitative' as const, title: axes.xTitle,
    scale: { domain: [-0.5, k - 0.5], nice: false, zero: false },
    axis: { values: axes.xDomain.map((_, i) => i), labelExpr: `${JSON.stringify(axes.xDomain)}[datum.value]`, grid: false, labelAngle: 0, labelOverlap: false },
  };
}

function colorEncoding(axes: ChartAxes) {
  return axes.seriesDomain.length > 0 ? { color: { field: 'series', type: 'nominal' as const, title: axes.seriesTitle, scale: { domain: axes.seriesDomain } } } : {};
}

/** Mean with its 95 % CI as an error bar, and the model's values as dashed lines / hollow diamonds. */
export function meansSpec(rows: SummaryRow[], axes: ChartAxes): TopLevelSpec {
  const { metric, unit } = rows[0]!;
  const hasExpected = rows.some((r) => r.expected !== undefined);
  const data = [
    ...rows.map((r) => ({ x: xPosition(axes, r), series: axes.seriesOf(r), source: MEASURED_LABEL, value: r.mean, lo: r.mean - r.ci95, hi: r.mean + r.ci95 })),
    ...rows.filter((r) => r.expected !== undefined).map((r) => ({ x: xPosition(axes, r), series: axes.seriesOf(r), source: EXPECTED_LABEL, value: r.expected! })),
  ];
  const ns = rows.map((r) => r.n);
  const nText = Math.min(...ns) === Math.max(...ns) ? `n = ${ns[0]}` : `n = ${Math.min(...ns)}–${Math.max(...ns)}`;
  const x = xEncoding(axes);
  const color = colorEncoding(axes);
  const sources = hasExpected ? [MEASURED_LABEL, EXPECTED_LABEL] : [MEASURED_LABEL];
  const shape = { field: 'source', type: 'nominal' as const, title: 'values', scale: { domain: sources, range: ['circle', 'diamond'] } };
  const dash = { field: 'source', type: 'nominal' as const, title: 'values', scale: { domain: sources, range: [[1, 0], [6, 4]] } };
  // A line between points only means something along a swept parameter.
  const lines = axes.xKey !== undefined;
  return {
    title: { text: `${metric} (${unit})`, subtitle: `mean per point; error bars: mean ± ci95, the 95 % confidence interval of the mean; ${nText}` },
    width: WIDTH,
    height: HEIGHT,
    data: { values: data },
    encoding: { x },
    layer: [
      {
        transform: [{ filter: { field: 'source', equal: MEASURED_LABEL } }],
        mark: { type: 'errorbar', ticks: { size: 12 }, thickness: 1.5, color: SINGLE_COLOUR },
        encoding: { y: { field: 'lo', type: 'quantitative', title: `mean ${metric} (${unit})`, ...flatAtZero(rows.flatMap((r) => [r.mean - r.ci95, r.mean + r.ci95, r.expected ?? 0])) }, y2: { field: 'hi' }, ...color },
      },
      ...(lines ? [{ mark: { type: 'line' as const, strokeWidth: 1.5, color: SINGLE_COLOUR }, encoding: { y: { field: 'value', type: 'quantitative' as const }, detail: { field: 'source', type: 'nominal' as const }, ...(hasExpected ? { strokeDash: dash } : {}), ...color } }] : []),
      {
        transform: [{ filter: { field: 'source', equal: MEASURED_LABEL } }],
        mark: { type: 'point', size: 70, filled: true, opacity: 1, color: SINGLE_COLOUR },
        encoding: { y: { field: 'value', type: 'quantitative' }, ...(hasExpected ? { shape } : {}), ...color },
      },
      ...(hasExpected
        ? [{
            transform: [{ filter: { field: 'source', equal: EXPECTED_LABEL } }],
            mark: { type: 'point' as const, size: 90, filled: false, strokeWidth: 2, color: SINGLE_COLOUR },
            encoding: { y: { field: 'value', type: 'quantitative' as const }, shape, ...color },
          }]
        : []),
    ],
  };
}

/** All zeros (no loss at all) would give an empty domain and a meaningless axis: show 0 to 1. */
const flatAtZero = (ys: number[]) => (ys.every((y) => y === 0) ? { scale: { domain: [0, 1] } } : {});

/** Box plots of every measured value per point: spread and outliers the mean hides. */
export function distributionSpec(values: RawValue[], axes: ChartAxes): TopLevelSpec {
  const { metric, unit } = values[0]!;
  const color = colorEncoding(axes);
  const data = values.map((v) => ({ x: String(axes.xOf(v)), series: axes.seriesOf(v), value: v.value }));
  return {
    title: { text: `${metric} (${unit}): distribution`, subtitle: `every measured value; box: quartiles, whiskers: 1.5 × IQR, dots: values beyond (${values.length} values)` },
    width: WIDTH,
    height: HEIGHT,
    data: { values: data },
    mark: { type: 'boxplot', extent: 1.5, size: 14 },
    encoding: {
      // Categories even for numeric sweeps: a box per point, in sweep order.
      x: { field: 'x', type: 'ordinal', title: axes.xTitle, scale: { domain: axes.xDomain }, axis: { labelAngle: 0 } },
      y: { field: 'value', type: 'quantitative', title: `${metric} (${unit})`, ...flatAtZero(values.map((v) => v.value)) },
      ...(axes.seriesDomain.length > 0 ? { xOffset: { field: 'series', type: 'nominal', scale: { domain: axes.seriesDomain } } } : {}),
      ...color,
    },
  };
}
