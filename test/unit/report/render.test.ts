import { describe, expect, it } from 'vitest';
import { metricCharts } from '../../../orchestrator/report/charts.js';
import { prefixIds, renderSvg } from '../../../orchestrator/report/render.js';
import { DELAYS, fixtureRows, PROBES } from './fixture.js';

describe('renderSvg', () => {
  it('renders a chart to an SVG with drawn marks, axis titles and the legend', async () => {
    const [chart] = metricCharts(fixtureRows().summary, { 'networks.wan.delay': DELAYS, 'params.probes': PROBES });
    const svg = await renderSvg(chart!.means, 'c0');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    // Points are symbol paths, error bars rules/paths: each has geometry.
    expect(svg.match(/<path [^>]*d="M[^"]+"/g)?.length ?? 0).toBeGreaterThan(10);
    for (const text of ['udp_rtt (ms)', 'networks.wan.delay', 'mean udp_rtt (ms)', '50ms', 'expected (model)', 'measured']) expect(svg).toContain(text);
  });

  it('keeps ids of charts on one page apart', () => {
    expect(prefixIds('<clipPath id="clip1"/><g clip-path="url(#clip1)"/><use xlink:href="#clip1"/>', 'm2')).toBe('<clipPath id="m2-clip1"/><g clip-path="url(#m2-clip1)"/><use xlink:href="#m2-clip1"/>');
  });
});
