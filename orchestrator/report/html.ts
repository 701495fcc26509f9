// The report as one self-contained HTML page (pure: content in, text out). Offline by
// construction: inline CSS, inline SVG, no script, no external font or image. Every piece
// of text from the results goes through `escapeXml`; the SVGs come from our own renderers.
import type { Manifest } from '../results/manifest.js';
import type { SummaryRow } from '../results/summary.js';
import type { LinkImpairment } from '../topology/types.js';
import { EXPECTED_LABEL } from './charts.js';
import { escapeXml as esc, impairmentText } from './graph.js';
import type { EventRecord } from './read.js';

export interface MetricSection {
  metric: string;
  unit: string;
  rows: SummaryRow[];
  meansSvg: string;
  distributionSvg?: string;
}

export interface ReportContent {
  manifest: Manifest;
  /** Undefined when the results have no plan.json. */
  topologySvg?: string;
  sections: MetricSection[];
  events: EventRecord[];
  /** Input files that were not found; the page says so. */
  missing: string[];
  /** The emunet that wrote the page (the run's own version is in the manifest). */
  version: string;
}

export function reportHtml(c: ReportContent): string {
  const m = c.manifest;
  const title = `emunet report: lab ${m.lab}, run ${m.run_id}`;
  const nav = [['topology', 'Topology'], ['run', 'Run'], ...c.sections.map((s, i) => [`metric-${i}`, s.metric]), ...(c.events.length > 0 ? [['events', 'Events']] : [])];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>lab <b>${esc(m.lab)}</b> · run ${esc(m.run_id)}</h1>
<p><span class="status status-${esc(m.status)}">${esc(m.status)}</span> ${esc(String(m.measurements ?? 0))} measurements · ${esc(m.topology?.file ?? '')}</p>
<nav>${nav.map(([id, label]) => `<a href="#${esc(id!)}">${esc(label!)}</a>`).join(' · ')}</nav>
</header>
<main>
${topologySection(c)}
${runSection(m)}
${c.sections.map(metricSection).join('\n')}
${eventsSection(c.events)}
</main>
<footer>Written by emunet ${esc(c.version)} from manifest.json, plan.json, summary.json, measurements.csv and events.csv in this directory. Error bars are the 95 % confidence intervals of the mean (mean ± ci95, as in summary.csv); “${esc(EXPECTED_LABEL)}” values come from the experiment's <code>expect:</code> formulas, not from measurement.${c.missing.length > 0 ? ` Not found: ${esc(c.missing.join(', '))}.` : ''}</footer>
</body>
</html>
`;
}

function topologySection(c: ReportContent): string {
  const swept = Object.keys(c.manifest.sweep).filter((k) => k.startsWith('networks.'));
  const body = c.topologySvg === undefined
    ? '<p class="note">No plan.json in this directory (results written before emunet kept the plan): <code>emunet graph TOPOLOGY --format svg</code> draws it from the topology file.</p>'
    : `<figure class="topology">${c.topologySvg}</figure>${swept.length > 0 ? `<p class="note">Impairments as the topology configures them; the sweep changed ${esc(swept.join(', '))} from point to point (see Run and Events).</p>` : ''}`;
  return `<section id="topology"><h2>Topology</h2>${body}</section>`;
}

function runSection(m: Manifest): string {
  const sweep = Object.entries(m.sweep);
  // A manifest read back may be older or still being written (`running`): absent fields show empty.
  const v = (x: unknown) => (x === undefined || x === null ? '' : String(x));
  const runs = (m as Partial<Manifest>).runs;
  const filter = (m as Partial<Manifest>).filter ?? [];
  const kv: [string, string][] = [
    ['status', v(m.status) + (m.error ? `: ${m.error}` : '')],
    ['topology', `${v(m.topology?.file)} (sha256 ${v(m.topology?.sha256)})`],
    ['seed', v(m.seed)],
    ['repetitions', v(m.repetitions)],
    ['sweep', sweep.length === 0 ? 'none' : sweep.map(([k, values]) => `${k}: ${values.join(', ')}`).join('; ')],
    ...(filter.length > 0 ? [['filter', filter.join(' ')] as [string, string]] : []),
    ...(runs ? [['runs', `${runs.planned} planned, ${runs.complete} complete, ${runs.failed} failed`] as [string, string]] : []),
    ['image', `${v(m.image?.tag)} (${v(m.image?.id)})`],
    ['emunet', v(m.emunet_version)],
    ['Docker', `${v(m.docker?.version)} (API ${v(m.docker?.api_version)})`],
    ['kernel', v(m.kernel)],
    ['impairment backend', `${v(m.impairment_backend)}${m.impairment_seeded === false && m.impairment_backend !== 'none' ? ' (not seeded: losses differ from run to run)' : ''}`],
    ['started', v(m.started_at)],
    ['ended', v(m.ended_at)],
    ['measurements', v(m.measurements)],
  ];
  const failed = m.failed_runs.length === 0 ? '' : `<h3>Failed runs (${m.failed_runs.length})</h3>` + table(
    ['point', 'values', 'repetition', 'seed', 'error'],
    m.failed_runs.map((f) => [String(f.point), Object.entries(f.values).map(([k, v]) => `${k}=${v}`).join(' '), String(f.repetition), String(f.seed), { pre: f.error }]),
  );
  const calibration = m.calibration && m.calibration.length > 0
    ? `<h3>Calibration</h3>${table(Object.keys(m.calibration[0]!), m.calibration.map((r) => Object.values(r).map(String)))}`
    : '';
  return `<section id="run"><h2>Run</h2><table class="kv">${kv.map(([k, text]) => `<tr><th>${esc(k)}</th><td>${esc(text)}</td></tr>`).join('')}</table>${failed}${calibration}</section>`;
}

function metricSection(s: MetricSection, i: number): string {
  const keys = [...new Set(s.rows.flatMap((r) => Object.keys(r.point)))];
  const expected = s.rows.some((r) => r.expected !== undefined);
  const u = s.unit ? ` (${s.unit})` : '';
  const head = [...keys, 'node', 'peer', 'n', `mean${u}`, `p50${u}`, `p95${u}`, `ci95 ±${u}`, ...(expected ? [`expected${u}`, 'ratio'] : [])];
  const rows = s.rows.map((r) => [
    ...keys.map((k) => String(r.point[k] ?? '')), r.node, r.peer, String(r.n), fmt(r.mean), fmt(r.p50), fmt(r.p95), fmt(r.ci95),
    ...(expected ? [r.expected === undefined ? '' : fmt(r.expected), r.ratio === undefined ? '' : r.ratio.toFixed(3)] : []),
  ]);
  const figure = (kind: string, svg: string) => `<figure class="chart" data-metric="${esc(s.metric)}" data-kind="${kind}">${svg}</figure>`;
  return `<section id="metric-${i}" class="metric"><h2>${esc(s.metric)}${esc(u)}</h2>${figure('means', s.meansSvg)}${s.distributionSvg ? figure('distribution', s.distributionSvg) : ''}${table(head, rows)}</section>`;
}

/** Most events a page shows: a long sweep has thousands, and all of them are in events.csv. */
export const MAX_EVENTS = 2000;
const OPEN_EVENTS = 40;
const EVENT_COLUMNS = ['point', 'repetition', 'step', 'time', 'event', 'node', 'network'];

function eventsSection(events: EventRecord[]): string {
  if (events.length === 0) return '';
  const columns = EVENT_COLUMNS.filter((c) => events.some((e) => (e[c] ?? '') !== ''));
  const shown = events.slice(0, MAX_EVENTS);
  const rows = table([...columns, 'detail'], shown.map((e) => [...columns.map((c) => e[c] ?? ''), describeEvent(e)]));
  // A long list starts folded (<details> needs no script): the charts stay near the top.
  const open = events.length <= OPEN_EVENTS ? ' open' : '';
  return `<section id="events"><h2>Events</h2><details${open}><summary>${events.length} steps, impairment changes and faults, with the time each took effect${events.length > shown.length ? ` (the first ${shown.length} are shown; all are in events.csv)` : ''}</summary>${rows}</details></section>`;
}

/**
 * An event's JSON detail in words: `{"change":{"set":{"delayUs":100000}},"impairment":…}` ->
 * `set 100ms; now 100ms`. Also reads the older events.csv, with `change` and `impairment` columns.
 */
export function describeEvent(e: EventRecord): string {
  const d = eventDetail(e);
  if (!d) return e.detail ?? '';
  const parts: string[] = [];
  if (typeof d.fault === 'string') parts.push(`fault: ${d.fault}`);
  if (typeof d.change === 'object' && d.change !== null) parts.push(describeChange(d.change as Record<string, unknown>));
  if (typeof d.impairment === 'object' && d.impairment !== null) parts.push(`now ${impairmentText(d.impairment as LinkImpairment) || 'none'}`);
  if (typeof d.run === 'string') parts.push([d.run, ...Object.entries(asObject(d.args)).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)].join(' '));
  if (typeof d.error === 'string') parts.push(`error: ${d.error}`);
  const known = new Set(['fault', 'change', 'impairment', 'run', 'args', 'error']);
  const rest = Object.entries(d).filter(([k]) => !known.has(k));
  if (rest.length > 0) parts.push(rest.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' '));
  return parts.join('; ');
}

function eventDetail(e: EventRecord): Record<string, unknown> | undefined {
  if ((e.detail ?? '') !== '') return parseObject(e.detail ?? '');
  // The older events.csv: a `change` column ({"fault":…} for a fault) and an `impairment` column.
  const change = parseObject(e.change ?? '');
  const impairment = parseObject(e.impairment ?? '');
  return {
    ...(change === undefined ? {} : typeof change.fault === 'string' ? { fault: change.fault } : { change }),
    ...(impairment === undefined || Object.keys(impairment).length === 0 ? {} : { impairment }),
  };
}

/** An ImpairmentChange in words: `reset to the topology, set 100ms`. */
export function describeChange(c: Record<string, unknown>): string {
  const set = typeof c.set === 'object' && c.set !== null ? impairmentText(c.set as LinkImpairment) : '';
  return [c.reset === true ? 'reset to the topology' : '', set ? `set ${set}` : ''].filter(Boolean).join(', ') || JSON.stringify(c);
}

const asObject = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function parseObject(json: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

type Cell = string | { pre: string };

function table(head: string[], rows: Cell[][]): string {
  const cell = (c: Cell) => (typeof c === 'string' ? `<td>${esc(c)}</td>` : `<td><pre>${esc(c.pre)}</pre></td>`);
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : Number.isFinite(n) ? n.toFixed(3) : '');

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2937;background:#fff}
header,main,footer{max-width:1160px;margin:0 auto;padding:0 24px}
header{padding-top:16px;border-bottom:1px solid #e5e7eb}
h1{font-size:1.5rem;font-weight:500;margin:.4em 0}
h2{font-size:1.2rem;margin:1.6em 0 .6em;border-bottom:1px solid #e5e7eb;padding-bottom:.2em}
h3{font-size:1rem;margin:1.2em 0 .4em}
nav{margin:.6em 0 1em;font-size:.9rem}
a{color:#1d4ed8;text-decoration:none}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85rem;color:#fff;background:#6b7280}
.status-complete{background:#15803d}.status-partial{background:#b45309}.status-failed{background:#b91c1c}
figure{margin:.6em 0;overflow-x:auto}
figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:.85rem;margin:.6em 0}
th,td{border:1px solid #e5e7eb;padding:3px 8px;text-align:left;vertical-align:top}
thead th{background:#f9fafb}
td{font-variant-numeric:tabular-nums}
table.kv th{background:#f9fafb;font-weight:500;white-space:nowrap}
summary{cursor:pointer;color:#4b5563;font-size:.9rem}
pre{margin:0;white-space:pre-wrap;font-size:.8rem;max-height:16em;overflow:auto}
.note{color:#4b5563;font-size:.9rem}
footer{color:#6b7280;font-size:.8rem;margin-top:2em;padding-bottom:24px;border-top:1px solid #e5e7eb;padding-top:8px}
`;
