// The topology as a graph (pure): nodes and networks are the two kinds of vertices, an edge is
// one interface (its address and what its impairment adds). Three outputs: Mermaid and
// Graphviz DOT to paste elsewhere, and an SVG drawn here (no graphviz binary on the host).
import { formatTcDuration, formatTcRate } from '../impairment/units.js';
import type { LinkImpairment, LabPlan, PlannedInterface, PlannedNode } from '../topology/types.js';

export type GraphFormat = 'mermaid' | 'dot' | 'svg';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot', 'svg'];

export function topologyGraph(plan: LabPlan, format: GraphFormat): string {
  return format === 'mermaid' ? mermaid(plan) : format === 'dot' ? dot(plan) : graphSvg(plan);
}

/** What an impairment adds, as people write it: `10ms ±2ms loss 1% 10mbit`; '' for none. */
export function impairmentText(i: LinkImpairment): string {
  const pct = (label: string, v: number | undefined) => (v ? [`${label} ${v}%`] : []);
  return [
    ...(i.down ? ['down'] : []),
    ...(i.delayUs ? [formatTcDuration(i.delayUs) + (i.jitterUs ? ` ±${formatTcDuration(i.jitterUs)}` : '')] : []),
    ...pct('loss', i.lossPct),
    ...pct('dup', i.duplicatePct),
    ...pct('corrupt', i.corruptPct),
    ...pct('reorder', i.reorderPct),
    ...(i.rateBps ? [formatTcRate(i.rateBps)] : []),
    ...(i.downloadBps ? [`↓${formatTcRate(i.downloadBps)}`] : []),
  ].join(' ');
}

/** An edge's label: the member's address, then what its link adds (`10.0.1.2 · 10ms`). */
export function edgeLabel(i: PlannedInterface): string {
  const imp = impairmentText(i.impairment);
  return imp ? `${i.address} · ${imp}` : i.address;
}

/** The network's impairment when every member has the same one (then it is the network's own). */
export function sharedImpairment(plan: LabPlan, network: string): string {
  const texts = new Set(plan.nodes.flatMap((n) => n.interfaces.filter((i) => i.network === network).map((i) => impairmentText(i.impairment))));
  const [only] = texts;
  return texts.size === 1 && only ? only : '';
}

/** Routers forward; whatever the role is called, that is what makes a node look like one. */
const isRouter = (n: PlannedNode) => n.forwards;
const edges = (plan: LabPlan) => plan.nodes.flatMap((node) => node.interfaces.map((i) => ({ node, i })));

// Names match ^[a-z][a-z0-9-]*$ (schema): `-` -> `_` keeps ids unique and Mermaid-safe.
const mermaidId = (kind: 'node' | 'net', name: string) => `${kind}_${name.replace(/-/g, '_')}`;
const mermaidText = (s: string) => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

export function mermaid(plan: LabPlan): string {
  const netLabel = (name: string, subnet: string) => [name, subnet, sharedImpairment(plan, name)].filter(Boolean).map(mermaidText).join('<br/>');
  const hosts = plan.nodes.filter((n) => !isRouter(n));
  const routers = plan.nodes.filter(isRouter);
  return [
    'graph LR',
    ...plan.nodes.map((n) => {
      const label = `"${mermaidText(n.name)}<br/>${mermaidText(n.role)}"`;
      return `  ${mermaidId('node', n.name)}${isRouter(n) ? `{{${label}}}` : `[${label}]`}`;
    }),
    ...plan.networks.map((w) => `  ${mermaidId('net', w.name)}(["${netLabel(w.name, w.subnet)}"])`),
    ...edges(plan).map(({ node, i }) => `  ${mermaidId('node', node.name)} ---|"${mermaidText(edgeLabel(i))}"| ${mermaidId('net', i.network)}`),
    '  classDef host fill:#dbeafe,stroke:#1d4ed8',
    '  classDef router fill:#fde68a,stroke:#b45309',
    '  classDef network fill:#f3f4f6,stroke:#4b5563',
    ...(hosts.length > 0 ? [`  class ${hosts.map((n) => mermaidId('node', n.name)).join(',')} host`] : []),
    ...(routers.length > 0 ? [`  class ${routers.map((n) => mermaidId('node', n.name)).join(',')} router`] : []),
    ...(plan.networks.length > 0 ? [`  class ${plan.networks.map((w) => mermaidId('net', w.name)).join(',')} network`] : []),
  ].join('\n') + '\n';
}

const dotText = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function dot(plan: LabPlan): string {
  return [
    `graph ${dotText(plan.lab)} {`,
    '  rankdir=LR;',
    '  node [fontname="sans-serif", fontsize=11];',
    '  edge [fontname="sans-serif", fontsize=9];',
    ...plan.nodes.map((n) =>
      `  ${dotText(`node:${n.name}`)} [label=${dotText(`${n.name}\n${n.role}`)}, ${isRouter(n) ? 'shape=hexagon, style=filled, fillcolor="#fde68a"' : 'shape=box, style="rounded,filled", fillcolor="#dbeafe"'}];`),
    ...plan.networks.map((w) =>
      `  ${dotText(`net:${w.name}`)} [label=${dotText([w.name, w.subnet, sharedImpairment(plan, w.name)].filter(Boolean).join('\n'))}, shape=ellipse, style=filled, fillcolor="#f3f4f6"];`),
    ...edges(plan).map(({ node, i }) => `  ${dotText(`node:${node.name}`)} -- ${dotText(`net:${i.network}`)} [label=${dotText(edgeLabel(i))}];`),
    '}',
  ].join('\n') + '\n';
}

/** Text for SVG/HTML: the five characters that could end an element or an attribute. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

type Vertex = { kind: 'node'; node: PlannedNode } | { kind: 'net'; name: string; lines: string[] };
interface Placed { v: Vertex; x: number; y: number; w: number; h: number }

const CHAR = 7; // px per character at 12px sans-serif: an estimate, there is no font metrics here
const ROW = 86;
const MARGIN = 24;

/**
 * Columns by breadth-first search from the first node over the bipartite node–network graph:
 * node, its networks, the nodes on them, … Disconnected parts start again at column 0, below.
 * Deterministic: the order is the plan's.
 */
export function layout(plan: LabPlan): { placed: Map<string, Placed>; width: number; height: number } {
  const key = (v: Vertex) => (v.kind === 'node' ? `node:${v.node.name}` : `net:${v.name}`);
  const netVertex = (name: string): Vertex => {
    const w = plan.networks.find((n) => n.name === name);
    return { kind: 'net', name, lines: [name, w?.subnet ?? '', sharedImpairment(plan, name)].filter(Boolean) };
  };
  const neighbours = (v: Vertex): Vertex[] =>
    v.kind === 'node' ? v.node.interfaces.map((i) => netVertex(i.network)) : plan.nodes.filter((n) => n.interfaces.some((i) => i.network === v.name)).map((node) => ({ kind: 'node', node }));
  const columns: Vertex[][] = [];
  const seen = new Set<string>();
  const starts: Vertex[] = [...plan.nodes.map((node): Vertex => ({ kind: 'node', node })), ...plan.networks.map((w) => netVertex(w.name))];
  for (const start of starts) {
    if (seen.has(key(start))) continue;
    seen.add(key(start));
    let frontier = [start];
    for (let depth = 0; frontier.length > 0; depth++) {
      (columns[depth] ??= []).push(...frontier);
      const next: Vertex[] = [];
      for (const v of frontier) for (const n of neighbours(v)) if (!seen.has(key(n))) (seen.add(key(n)), next.push(n));
      frontier = next;
    }
  }
  const size = (v: Vertex) => {
    const lines = v.kind === 'node' ? [v.node.name, v.node.role] : v.lines;
    return { w: Math.max(...lines.map((l) => l.length)) * CHAR + (v.kind === 'node' && isRouter(v.node) ? 44 : 28), h: v.kind === 'node' ? 46 : 16 + lines.length * 15 };
  };
  // Every edge joins adjacent columns (the graph is bipartite): each gap fits its widest label.
  const columnOf = new Map(columns.flatMap((c, d) => c.map((v) => [key(v), d] as const)));
  const gaps = columns.map(() => 60);
  for (const { node, i } of edges(plan)) {
    const d = Math.min(columnOf.get(`node:${node.name}`) ?? 0, columnOf.get(`net:${i.network}`) ?? 0);
    gaps[d] = Math.max(gaps[d] ?? 0, edgeLabel(i).length * 6 + 24);
  }
  const rows = Math.max(1, ...columns.map((c) => c.length));
  const placed = new Map<string, Placed>();
  let x = MARGIN;
  columns.forEach((column, d) => {
    const width = Math.max(...column.map((v) => size(v).w));
    column.forEach((v, j) => placed.set(key(v), { v, ...size(v), x: x + width / 2, y: MARGIN + ((rows - column.length) * ROW) / 2 + ROW * (j + 0.5) }));
    x += width + (d < columns.length - 1 ? gaps[d]! : 0);
  });
  return { placed, width: Math.max(640, x + MARGIN), height: rows * ROW + 2 * MARGIN + 24 };
}

/** A standalone SVG: hosts as rounded boxes, routers as hexagons, networks as grey pills. */
export function graphSvg(plan: LabPlan): string {
  const { placed, width, height } = layout(plan);
  const text = (x: number, y: number, s: string, attrs = '') => `<text x="${r(x)}" y="${r(y)}" text-anchor="middle" ${attrs}>${escapeXml(s)}</text>`;
  const lines: string[] = [];
  const labels: string[] = [];
  for (const { node, i } of edges(plan)) {
    const a = placed.get(`node:${node.name}`);
    const b = placed.get(`net:${i.network}`);
    if (!a || !b) continue;
    lines.push(`<line x1="${r(a.x)}" y1="${r(a.y)}" x2="${r(b.x)}" y2="${r(b.y)}" stroke="#6b7280" stroke-width="1.5"/>`);
    // The label sits halfway across the gap between the two shapes, on the line.
    const dir = Math.sign(b.x - a.x) || 1;
    const [xa, xb] = [a.x + (dir * a.w) / 2, b.x - (dir * b.w) / 2];
    const mx = (xa + xb) / 2;
    const my = a.x === b.x ? (a.y + b.y) / 2 : a.y + ((b.y - a.y) * (mx - a.x)) / (b.x - a.x);
    const label = edgeLabel(i);
    labels.push(`<rect x="${r(mx - (label.length * 6) / 2 - 3)}" y="${r(my - 8)}" width="${r(label.length * 6 + 6)}" height="15" rx="3" fill="#ffffff" fill-opacity="0.9"/>`, text(mx, my + 4, label, 'font-size="10" fill="#374151"'));
  }
  const shapes = [...placed.values()].map(({ v, x, y, w, h }) => {
    if (v.kind === 'net') {
      const body = `<rect class="network" x="${r(x - w / 2)}" y="${r(y - h / 2)}" width="${r(w)}" height="${r(h)}" rx="${r(Math.min(h / 2, 18))}" fill="#f3f4f6" stroke="#4b5563" stroke-width="2"/>`;
      return `<g data-network="${escapeXml(v.name)}">${body}${v.lines.map((l, k) => text(x, y - h / 2 + 20 + k * 15, l, k === 0 ? 'font-weight="bold"' : 'font-size="11" fill="#374151"')).join('')}</g>`;
    }
    const body = isRouter(v.node)
      ? `<polygon class="router" points="${[[x - w / 2, y], [x - w / 2 + 14, y - h / 2], [x + w / 2 - 14, y - h / 2], [x + w / 2, y], [x + w / 2 - 14, y + h / 2], [x - w / 2 + 14, y + h / 2]].map(([px, py]) => `${r(px!)},${r(py!)}`).join(' ')}" fill="#fde68a" stroke="#b45309" stroke-width="2"/>`
      : `<rect class="host" x="${r(x - w / 2)}" y="${r(y - h / 2)}" width="${r(w)}" height="${r(h)}" rx="8" fill="#dbeafe" stroke="#1d4ed8" stroke-width="2"/>`;
    return `<g data-node="${escapeXml(v.node.name)}">${body}${text(x, y - 3, v.node.name, 'font-weight="bold"')}${text(x, y + 13, v.node.role, 'font-size="11" fill="#374151"')}</g>`;
  });
  const legendY = height - 14;
  const legend = [
    `<rect x="${MARGIN}" y="${legendY - 10}" width="14" height="12" rx="3" fill="#dbeafe" stroke="#1d4ed8"/>`, `<text x="${MARGIN + 20}" y="${legendY}" font-size="11">host</text>`,
    `<polygon points="${MARGIN + 70},${legendY - 4} ${MARGIN + 74},${legendY - 10} ${MARGIN + 82},${legendY - 10} ${MARGIN + 86},${legendY - 4} ${MARGIN + 82},${legendY + 2} ${MARGIN + 74},${legendY + 2}" fill="#fde68a" stroke="#b45309"/>`, `<text x="${MARGIN + 92}" y="${legendY}" font-size="11">router (forwards)</text>`,
    `<rect x="${MARGIN + 200}" y="${legendY - 10}" width="22" height="12" rx="6" fill="#f3f4f6" stroke="#4b5563"/>`, `<text x="${MARGIN + 228}" y="${legendY}" font-size="11">network · edges: address · impairment (one-way, on what the member sends)</text>`,
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" width="${r(width)}" height="${r(height)}" viewBox="0 0 ${r(width)} ${r(height)}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(`lab ${plan.lab}: ${plan.nodes.length} nodes, ${plan.networks.length} networks`)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...lines, ...shapes, ...labels, ...legend,
    '</svg>',
  ].join('\n') + '\n';
}

const r = (n: number) => String(Math.round(n * 10) / 10);
