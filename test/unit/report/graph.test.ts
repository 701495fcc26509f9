import { describe, expect, it } from 'vitest';
import { dot, edgeLabel, graphSvg, impairmentText, layout, mermaid, topologyGraph } from '../../../orchestrator/report/graph.js';
import type { LabPlan } from '../../../orchestrator/topology/types.js';
import { threeNodePlan } from './fixture.js';

describe('topology graph', () => {
  it('Mermaid: hosts as boxes, routers as hexagons, networks as stadiums, edges labelled address · impairment', () => {
    expect(mermaid(threeNodePlan)).toBe(`graph LR
  node_client["client<br/>host"]
  node_r1{{"r1<br/>router"}}
  node_server["server<br/>host"]
  net_left(["left<br/>10.0.1.0/24<br/>10ms"])
  net_right(["right<br/>10.0.2.0/24"])
  node_client ---|"10.0.1.2 · 10ms"| net_left
  node_r1 ---|"10.0.1.3 · 10ms"| net_left
  node_r1 ---|"10.0.2.2 · 5ms 10mbit"| net_right
  node_server ---|"10.0.2.3 · 5ms loss 1% 10mbit"| net_right
  classDef host fill:#dbeafe,stroke:#1d4ed8
  classDef router fill:#fde68a,stroke:#b45309
  classDef network fill:#f3f4f6,stroke:#4b5563
  class node_client,node_server host
  class node_r1 router
  class net_left,net_right network
`);
  });

  it('DOT: the same graph, node and network ids kept apart', () => {
    expect(dot(threeNodePlan)).toBe(`graph "hello" {
  rankdir=LR;
  node [fontname="sans-serif", fontsize=11];
  edge [fontname="sans-serif", fontsize=9];
  "node:client" [label="client\\nhost", shape=box, style="rounded,filled", fillcolor="#dbeafe"];
  "node:r1" [label="r1\\nrouter", shape=hexagon, style=filled, fillcolor="#fde68a"];
  "node:server" [label="server\\nhost", shape=box, style="rounded,filled", fillcolor="#dbeafe"];
  "net:left" [label="left\\n10.0.1.0/24\\n10ms", shape=ellipse, style=filled, fillcolor="#f3f4f6"];
  "net:right" [label="right\\n10.0.2.0/24", shape=ellipse, style=filled, fillcolor="#f3f4f6"];
  "node:client" -- "net:left" [label="10.0.1.2 · 10ms"];
  "node:r1" -- "net:left" [label="10.0.1.3 · 10ms"];
  "node:r1" -- "net:right" [label="10.0.2.2 · 5ms 10mbit"];
  "node:server" -- "net:right" [label="10.0.2.3 · 5ms loss 1% 10mbit"];
}
`);
  });

  it('Mermaid ids stay valid for names with dashes', () => {
    const plan: LabPlan = { ...threeNodePlan, nodes: [{ ...threeNodePlan.nodes[0]!, name: 'web-1' }], networks: [threeNodePlan.networks[0]!] };
    expect(mermaid(plan)).toContain('  node_web_1 ---|"10.0.1.2 · 10ms"| net_left');
  });

  it('SVG: every node and network drawn and named, routers distinct from hosts', () => {
    const svg = graphSvg(threeNodePlan);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    for (const name of ['client', 'r1', 'server']) expect(svg).toContain(`data-node="${name}"`);
    for (const name of ['left', 'right']) expect(svg).toContain(`data-network="${name}"`);
    for (const text of ['10.0.1.0/24', '10.0.2.0/24', '10.0.2.3 · 5ms loss 1% 10mbit']) expect(svg).toContain(`>${text}</text>`);
    expect(svg.match(/class="router"/g)).toHaveLength(1);
    expect(svg.match(/class="host"/g)).toHaveLength(2);
    expect(svg.match(/<line /g)).toHaveLength(4);
    expect(topologyGraph(threeNodePlan, 'svg')).toBe(svg);
  });

  it('SVG layout: breadth-first columns from the first node, node / network alternating', () => {
    const { placed } = layout(threeNodePlan);
    const column = (key: string) => placed.get(key)!.x;
    const xs = ['node:client', 'net:left', 'node:r1', 'net:right', 'node:server'].map(column);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('SVG escapes what it draws', () => {
    const plan: LabPlan = { ...threeNodePlan, lab: '<x>', nodes: [{ ...threeNodePlan.nodes[0]!, role: 'a<b>&c' }] };
    const svg = graphSvg(plan);
    expect(svg).toContain('a&lt;b&gt;&amp;c');
    expect(svg).not.toContain('a<b>');
  });

  it('impairment text: what the link adds, in the units people write', () => {
    expect(impairmentText({})).toBe('');
    expect(impairmentText({ delayUs: 20_000, jitterUs: 500, lossPct: 0.5, rateBps: 1_500_000, downloadBps: 2_000_000 })).toBe('20ms ±500us loss 0.5% 1500kbit ↓2mbit');
    expect(impairmentText({ down: true })).toBe('down');
    expect(edgeLabel({ network: 'a', address: '10.0.0.2', prefix: 24, impairment: {} })).toBe('10.0.0.2');
  });
});
