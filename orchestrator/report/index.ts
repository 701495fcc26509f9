// report.html from a results directory: read -> build chart specs -> render SVGs -> page.
// The only I/O is readResults and the one writeFile; the rest is pure or renders in memory.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emunetVersion } from '../version.js';
import { metricCharts } from './charts.js';
import { graphSvg } from './graph.js';
import { reportHtml, type MetricSection } from './html.js';
import { readResults } from './read.js';
import { renderSvg } from './render.js';

export { topologyGraph, GRAPH_FORMATS, type GraphFormat } from './graph.js';
export { ResultsDirError } from './read.js';

export const REPORT_FILE = 'report.html';

/** Writes (or rewrites) `<dir>/report.html` and returns its path. */
export async function writeReport(dir: string): Promise<string> {
  const results = await readResults(dir);
  const charts = metricCharts(results.summary, results.manifest.sweep, results.raw);
  // One at a time: each render holds a whole scene graph, and a report has a handful of charts.
  const sections: MetricSection[] = [];
  for (const [i, chart] of charts.entries()) {
    sections.push({
      metric: chart.metric,
      unit: chart.unit,
      rows: results.summary.filter((r) => r.metric === chart.metric && r.unit === chart.unit),
      meansSvg: await renderSvg(chart.means, `m${i}`),
      ...(chart.distribution ? { distributionSvg: await renderSvg(chart.distribution, `d${i}`) } : {}),
    });
  }
  const html = reportHtml({
    manifest: results.manifest,
    ...(results.plan ? { topologySvg: graphSvg(results.plan) } : {}),
    sections,
    events: results.events,
    missing: results.missing,
    version: emunetVersion,
  });
  const file = path.join(dir, REPORT_FILE);
  await writeFile(file, html);
  return file;
}
