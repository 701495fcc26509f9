import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from '../../../orchestrator/api.js';
import type { Manifest } from '../../../orchestrator/results/manifest.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

// `emunet run` ends with report.html, written from plan.json and summary.json it keeps beside
// the CSVs; a report that cannot be written is said and costs nothing else.
const failReport = vi.hoisted(() => ({ on: false }));
vi.mock('../../../orchestrator/report/index.js', async (original) => {
  const real = await original<typeof import('../../../orchestrator/report/index.js')>();
  return { ...real, writeReport: async (dir: string) => (failReport.on ? Promise.reject(new Error('renderer exploded')) : real.writeReport(dir)) };
});

const dirs: string[] = [];
afterEach(async () => {
  failReport.on = false;
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function fakeRun() {
  const runtime = new FakeRuntime();
  let time = Date.UTC(2026, 10, 25);
  runtime.execHandler = (_spec, argv) => {
    if (!argv.includes('workload')) return { exitCode: 0, stdout: '{}', stderr: '' };
    const records = [30.2, 30.6, 31.1].map((value, seq) => JSON.stringify({ type: 'record', metric: 'udp_rtt', value, unit: 'ms', peer: 'server', seq, time: time++ }));
    return { exitCode: 0, stdout: records.join('\n') + '\n', stderr: '' };
  };
  const info: string[] = [];
  const ctx = { ...api.contextDefaults(runtime, 'test'), impairmentBackend: 'userspace' as const, reporter: { info: (m: string) => info.push(m), done: () => undefined, progress: () => undefined } };
  const { topology } = await api.validate(path.resolve(import.meta.dirname, '../../../topologies/hello.yaml'), { REPEAT: '2' });
  const out = await mkdtemp(path.join(os.tmpdir(), 'emunet-run-report-'));
  dirs.push(out);
  const result = await api.run(topology, out, ctx);
  const manifest = JSON.parse(await readFile(result.manifest, 'utf8')) as Manifest;
  return { result, manifest, info };
}

describe('run writes the report', () => {
  it('keeps plan.json and summary.json beside the CSVs, writes report.html and lists all three', async () => {
    const { result, manifest } = await fakeRun();
    expect(result.report).toBe(path.join(result.dir, 'report.html'));
    expect(manifest.files).toMatchObject({ plan: 'plan.json', summary_json: 'summary.json', report: 'report.html' });
    const plan = JSON.parse(await readFile(path.join(result.dir, 'plan.json'), 'utf8')) as { lab: string; nodes: { name: string }[] };
    expect([plan.lab, plan.nodes.map((n) => n.name)]).toEqual(['hello', ['client', 'r1', 'server']]);
    expect(JSON.parse(await readFile(path.join(result.dir, 'summary.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(result.summary)));
    const html = await readFile(result.report!, 'utf8');
    expect(html).toContain('data-metric="udp_rtt" data-kind="means"');
    expect(html).toContain('data-node="r1"');
  });

  it('a report that fails is said, and the results stay complete', async () => {
    failReport.on = true;
    const { result, manifest, info } = await fakeRun();
    expect(result.report).toBeUndefined();
    expect(info.join('\n')).toMatch(/report.html not written: renderer exploded .*emunet report /);
    expect(manifest.status).toBe('complete');
    expect(manifest.files.report).toBeUndefined();
    await access(result.csv);
    await access(path.join(result.dir, 'summary.json'));
    expect(result.rows.length).toBe(6); // 2 repetitions x 3 records
  });
});
