import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { describeEvent, reportHtml } from '../../../orchestrator/report/html.js';
import { writeReport } from '../../../orchestrator/report/index.js';
import { readResults } from '../../../orchestrator/report/read.js';
import { csvRecords } from '../../../orchestrator/results/csv-read.js';
import type { Manifest } from '../../../orchestrator/results/manifest.js';
import { writeFixtureDir } from './fixture.js';

let dir: string;
beforeAll(async () => {
  dir = await writeFixtureDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeReport', () => {
  it('writes one offline page: no http(s) reference but the SVG namespaces, no script', async () => {
    const file = await writeReport(dir);
    expect(file).toBe(path.join(dir, 'report.html'));
    const html = await readFile(file, 'utf8');
    const urls = [...new Set(html.match(/https?:\/\/[^"'\s)<>]*/g))].sort();
    expect(urls).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
    expect(html).not.toMatch(/<script|<link|@import|url\((?!#)/);
  });

  it('has the topology, the run, one section per metric with its chart and table, and the events', async () => {
    const html = await readFile(await writeReport(dir), 'utf8');
    expect(html).toContain('<h1>lab <b>hello</b> · run 2026-11-25T10-00-00</h1>');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="topology"');
    expect(html.match(/<figure class="chart" data-metric="[^"]+" data-kind="means">/g)).toHaveLength(2);
    expect(html.match(/data-kind="distribution"/g)).toHaveLength(2);
    for (const text of ['<th>seed</th><td>42</td>', 'networks.wan.delay: 50ms, 5ms, 20ms; params.probes: 20, 100', '60 planned, 59 complete, 1 failed', 'Failed runs (1)', '<th>expected (ms)</th>', 'probe target=server count=20', 'set 100ms; now 100ms']) {
      expect(html).toContain(text);
    }
  });

  it('escapes every text from the results', async () => {
    const html = await readFile(await writeReport(dir), 'utf8');
    expect(html).toContain('<td>&lt;b&gt;&amp;</td>');
    expect(html).toContain('&lt;stderr&gt; timeout &amp; retry');
    expect(html).not.toContain('<b>&');
    expect(html).not.toContain('<stderr>');
  });

  it('leaves warmup values out of the distribution, as summary.csv does', async () => {
    const results = await readResults(dir);
    expect(results.raw).toHaveLength(120);
    expect(results.raw.some((r) => r.value === 9999)).toBe(false);
    // Swept values come back typed as the manifest's sweep lists them.
    expect(results.raw[0]!.point).toEqual({ 'networks.wan.delay': '50ms', 'params.probes': 20 });
  });

  it('reads summary.csv where summary.json is missing, and says which inputs were not found', async () => {
    // Its own directory: this test removes files the others read.
    const dir = await writeFixtureDir();
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const json = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')) as { point: Record<string, string | number>; metric: string; mean: number; expected?: number }[];
    const header = 'networks.wan.delay,params.probes,node,peer,metric,unit,n,mean,stddev,ci95,min,p5,p50,p95,max,expected,ratio';
    const lines = json.map((r) => `${r.point['networks.wan.delay']},${r.point['params.probes']},"a,b",x,${r.metric},ms,10,${r.mean},1,0.5,0,0,0,0,0,${r.expected ?? ''},`);
    await writeFile(path.join(dir, 'summary.csv'), [header, ...lines].join('\r\n'));
    await unlink(path.join(dir, 'summary.json'));
    await unlink(path.join(dir, 'plan.json'));
    const results = await readResults(dir);
    expect(results.summary).toHaveLength(json.length);
    expect(results.summary[0]).toMatchObject({ point: { 'networks.wan.delay': '50ms', 'params.probes': 20 }, node: 'a,b', expected: json[0]!.expected });
    expect(results.summary.find((r) => r.metric === 'tcp_connect')!.expected).toBeUndefined();
    expect(results.missing).toEqual(['plan.json']);
    const html = await readFile(await writeReport(dir), 'utf8');
    expect(html).toContain('No plan.json in this directory');
    expect(html).toContain('Not found: plan.json.');
  });

  it('says what is wrong with a directory that is not a results directory', async () => {
    await expect(writeReport(path.join(dir, 'nothing-here'))).rejects.toThrow(/has no manifest.json: expected a results directory written by `emunet run`/);
  });
});

describe('reportHtml', () => {
  const manifest = { lab: 'l<&>', run_id: 'r"1', sweep: {}, failed_runs: [], status: 'complete', measurements: 0 } as unknown as Manifest;
  it('escapes the lab, the run id and metric names, and omits empty sections', () => {
    const html = reportHtml({ manifest, sections: [{ metric: '<m>', unit: 'ms', rows: [], meansSvg: '<svg></svg>' }], events: [], missing: [], version: '0.1.0' });
    expect(html).toContain('lab <b>l&lt;&amp;&gt;</b> · run r&quot;1');
    expect(html).toContain('<h2>&lt;m&gt; (ms)</h2>');
    expect(html).not.toContain('id="events"');
  });
});

describe('events', () => {
  it('puts a JSON detail in words, also from the older change / impairment columns', () => {
    expect(describeEvent({ event: 'impair', detail: '{"change":{"reset":true,"set":{"lossPct":5}},"impairment":{"lossPct":5}}' })).toBe('reset to the topology, set loss 5%; now loss 5%');
    expect(describeEvent({ event: 'step-failed', detail: '{"error":"boom"}' })).toBe('error: boom');
    expect(describeEvent({ event: 'kill', detail: '' })).toBe('');
    expect(describeEvent({ change: '{"fault":"pause"}', impairment: '{}' })).toBe('fault: pause');
    expect(describeEvent({ change: '{"set":{"delayUs":5000}}', impairment: '{"delayUs":5000}' })).toBe('set 5ms; now 5ms');
  });
});

describe('reading CSV back', () => {
  it('reads quoted fields with commas, quotes and line breaks, keyed by the header, skipping blank lines', () => {
    expect(csvRecords('a,b,c\n1,"x, ""y""",\n2,"line\nbreak",z')).toEqual([{ a: '1', b: 'x, "y"', c: '' }, { a: '2', b: 'line\nbreak', c: 'z' }]);
    expect(csvRecords('k,v\n\n1,2\n')).toEqual([{ k: '1', v: '2' }]);
    expect(csvRecords('k,v\n')).toEqual([]);
  });
});
