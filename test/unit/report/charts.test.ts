import { describe, expect, it } from 'vitest';
import { chartAxes, EXPECTED_LABEL, MEASURED_LABEL, metricCharts, type RawValue } from '../../../orchestrator/report/charts.js';
import type { SummaryRow } from '../../../orchestrator/results/summary.js';
import { DELAYS, fixtureRows, PROBES } from './fixture.js';

const sweep = { 'networks.wan.delay': DELAYS, 'params.probes': PROBES };
const { summary, raw } = fixtureRows();
const rawValues: RawValue[] = raw.map((r) => ({ point: { 'networks.wan.delay': r.delay, 'params.probes': r.probes }, step: '1', node: r.node, peer: r.peer, metric: r.metric, unit: r.unit, value: r.value }));

// The parts of a spec these tests look at (vega-lite's own type is a wide union).
interface Layer { mark: { type: string } | string; transform?: { filter: { field: string; equal: string } }[]; encoding: Record<string, { field?: string; title?: string; scale?: { domain?: unknown[] } }> }
interface Spec { title: { text: string; subtitle: string }; data: { values: Record<string, unknown>[] }; encoding: { x: { field: string; type: string; title: string; scale: { domain?: unknown[] }; axis?: { values: number[]; labelExpr: string } } }; layer: Layer[] }
const asSpec = (s: unknown) => s as Spec;
const markType = (l: Layer) => (typeof l.mark === 'string' ? l.mark : l.mark.type);

const row = (over: Partial<SummaryRow>): SummaryRow => ({ point: {}, step: '1', node: 'client', peer: 'server', metric: 'm', unit: 'ms', n: 4, min: 1, p5: 1, p50: 2, mean: 2, p95: 3, max: 3, stddev: 1, ci95: 0.98, ...over });

describe('metricCharts', () => {
  it('makes one chart per metric, titled with its unit, in first-seen order', () => {
    const charts = metricCharts(summary, sweep, rawValues);
    expect(charts.map((c) => c.metric)).toEqual(['udp_rtt', 'tcp_connect']);
    expect(charts.map((c) => asSpec(c.means).title.text)).toEqual(['udp_rtt (ms)', 'tcp_connect (ms)']);
    expect(asSpec(charts[0]!.means).title.subtitle).toMatch(/95 % confidence interval of the mean/);
  });

  it('draws the expected values only for a metric that has them, labelled as the model', () => {
    const [rtt, connect] = metricCharts(summary, sweep).map((c) => asSpec(c.means));
    const sources = (s: Spec) => [...new Set(s.data.values.map((v) => v.source))];
    expect(sources(rtt!)).toEqual([MEASURED_LABEL, EXPECTED_LABEL]);
    expect(rtt!.layer.some((l) => l.transform?.[0]?.filter.equal === EXPECTED_LABEL)).toBe(true);
    expect(JSON.stringify(rtt!.layer)).toContain('strokeDash');
    expect(sources(connect!)).toEqual([MEASURED_LABEL]);
    expect(JSON.stringify(connect!)).not.toContain(EXPECTED_LABEL);
  });

  it('puts the first swept key on x in the order the sweep was written, and colours by the second', () => {
    const spec = asSpec(metricCharts(summary, sweep)[0]!.means);
    // Categories at 0, 1, 2, labelled in sweep order (not sorted), series side by side around each.
    expect(spec.encoding.x).toMatchObject({ field: 'x', title: 'networks.wan.delay', scale: { domain: [-0.5, 2.5] }, axis: { values: [0, 1, 2], labelExpr: '["50ms","5ms","20ms"][datum.value]' } });
    const measured = spec.data.values.filter((v) => v.source === MEASURED_LABEL);
    expect(measured.map((v) => [v.x, v.series])).toEqual([[-0.075, '20'], [0.075, '100'], [0.925, '20'], [1.075, '100'], [1.925, '20'], [2.075, '100']]);
    const errorbar = spec.layer.find((l) => markType(l) === 'errorbar')!;
    expect(errorbar.encoding.color).toMatchObject({ field: 'series', title: 'params.probes', scale: { domain: ['20', '100'] } });
    expect(errorbar.encoding.y!.title).toBe('mean udp_rtt (ms)');
  });

  it('draws error bars as the 95 % CI of the mean: mean ± ci95', () => {
    const spec = asSpec(metricCharts([row({ point: { k: 1 }, mean: 10, ci95: 1.5 })], { k: [1] })[0]!.means);
    expect(spec.data.values[0]).toMatchObject({ value: 10, lo: 8.5, hi: 11.5 });
  });

  it('uses a quantitative axis for numeric sweeps', () => {
    const rows = [2, 8, 4].map((k) => row({ point: { 'params.n': k }, mean: k }));
    const spec = asSpec(metricCharts(rows, { 'params.n': [2, 8, 4] })[0]!.means);
    expect(spec.encoding.x).toMatchObject({ type: 'quantitative', title: 'params.n' });
    expect(spec.data.values.map((v) => v.x)).toEqual([2, 8, 4]);
  });

  it('without a sweep, puts node → peer on x and draws no line between them', () => {
    const spec = asSpec(metricCharts([row({}), row({ peer: 'r1' })], {})[0]!.means);
    expect(spec.encoding.x).toMatchObject({ title: 'node → peer', axis: { labelExpr: '["client → server","client → r1"][datum.value]' } });
    expect(spec.data.values.map((v) => v.x)).toEqual([0, 1]);
    expect(spec.layer.map(markType)).not.toContain('line');
  });

  it('adds node → peer to the colour when a swept metric has several pairs', () => {
    const axes = chartAxes([row({ point: { k: 'a' } }), row({ point: { k: 'a' }, node: 'c2' })], { k: ['a'] });
    expect(axes.seriesTitle).toBe('node → peer');
    expect(axes.seriesDomain).toEqual(['client → server', 'c2 → server']);
  });

  it('adds a distribution chart only when raw values are given, boxes in sweep order', () => {
    expect(metricCharts(summary, sweep)[0]!.distribution).toBeUndefined();
    const dist = metricCharts(summary, sweep, rawValues)[0]!.distribution as unknown as { mark: { type: string }; encoding: { x: { scale: { domain: string[] } } }; data: { values: unknown[] } };
    expect(dist.mark.type).toBe('boxplot');
    expect(dist.encoding.x.scale.domain).toEqual(['50ms', '5ms', '20ms']);
    expect(dist.data.values).toHaveLength(60);
  });
});

describe('honest axes', () => {
  it('shows 0 to 1 when every value is 0 (no loss at all), rather than an empty domain', () => {
    const spec = JSON.stringify(metricCharts([row({ metric: 'udp_loss', unit: '%', mean: 0, ci95: 0 })], {})[0]!.means);
    expect(spec).toContain('"domain":[0,1]');
    const lossy = JSON.stringify(metricCharts([row({ metric: 'udp_loss', unit: '%', mean: 2, ci95: 1 })], {})[0]!.means);
    expect(lossy).not.toContain('"domain":[0,1]');
  });
});
