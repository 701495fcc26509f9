// A hand-made results directory, as `emunet run` writes one: a delay sweep x two probe counts,
// an expectation for udp_rtt only, warmup rows, events with quoted JSON. No Docker needed.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { tQuantile975, type SummaryRow } from '../../../orchestrator/results/summary.js';
import type { LabPlan } from '../../../orchestrator/topology/types.js';

/** client - left - r1 - right - server: the three-node plan the graph outputs are checked on. */
export const threeNodePlan: LabPlan = {
  lab: 'hello',
  networks: [
    { name: 'left', subnet: '10.0.1.0/24', gateway: '10.0.1.1' },
    { name: 'right', subnet: '10.0.2.0/24', gateway: '10.0.2.1' },
  ],
  nodes: [
    { name: 'client', role: 'host', forwards: false, interfaces: [{ network: 'left', address: '10.0.1.2', prefix: 24, impairment: { delayUs: 10_000 } }], routes: [], config: {} },
    {
      name: 'r1', role: 'router', forwards: true, routes: [], config: {},
      interfaces: [
        { network: 'left', address: '10.0.1.3', prefix: 24, impairment: { delayUs: 10_000 } },
        { network: 'right', address: '10.0.2.2', prefix: 24, impairment: { delayUs: 5_000, rateBps: 10_000_000 } },
      ],
    },
    { name: 'server', role: 'host', forwards: false, interfaces: [{ network: 'right', address: '10.0.2.3', prefix: 24, impairment: { delayUs: 5_000, rateBps: 10_000_000, lossPct: 1 } }], routes: [], config: {} },
  ],
  hosts: [],
};

export const DELAYS = ['50ms', '5ms', '20ms']; // not sorted: the charts must keep this order
export const PROBES = [20, 100];

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const stddev = Math.sqrt(sorted.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const at = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * n)) - 1]!;
  return { n, min: sorted[0]!, p5: at(5), p50: at(50), mean, p95: at(95), max: sorted[n - 1]!, stddev, ci95: (tQuantile975(n - 1) * stddev) / Math.sqrt(n) };
};

/** Deterministic "measurements": the model plus a small wiggle. */
export function fixtureRows() {
  const raw: { delay: string; probes: number; node: string; peer: string; metric: string; unit: string; value: number }[] = [];
  for (const delay of DELAYS) {
    for (const probes of PROBES) {
      const d = Number.parseInt(delay, 10);
      for (let i = 0; i < 10; i++) {
        raw.push({ delay, probes, node: 'client', peer: 'server', metric: 'udp_rtt', unit: 'ms', value: 2 * (d + 15) + 0.3 + probes / 50 + Math.sin(i + probes) * 0.4 });
        raw.push({ delay, probes, node: '<b>&', peer: 'server', metric: 'tcp_connect', unit: 'ms', value: 2 * (d + 15) + 1 + Math.cos(i) * 0.5 });
      }
    }
  }
  const summary: SummaryRow[] = [];
  for (const metric of ['udp_rtt', 'tcp_connect']) {
    for (const delay of DELAYS) {
      for (const probes of PROBES) {
        const values = raw.filter((r) => r.metric === metric && r.delay === delay && r.probes === probes);
        const first = values[0]!;
        const s = stats(values.map((v) => v.value));
        const expected = metric === 'udp_rtt' ? 2 * (Number.parseInt(delay, 10) + 15) : undefined;
        summary.push({ point: { 'networks.wan.delay': delay, 'params.probes': probes }, step: '1', node: first.node, peer: first.peer, metric, unit: 'ms', ...s, ...(expected === undefined ? {} : { expected, ratio: s.mean / expected }) });
      }
    }
  }
  return { raw, summary };
}

const csvField = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const csv = (header: string[], rows: (string | number)[][]) => [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';

/** Writes the results directory into a new temp dir and returns its path. */
export async function writeFixtureDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'emunet-report-'));
  await mkdir(dir, { recursive: true });
  const { raw, summary } = fixtureRows();
  const manifest = {
    lab: 'hello', run_id: '2026-11-25T10-00-00', topology: { file: '/labs/hello.yaml', sha256: 'ab'.repeat(32) }, seed: 42, repetitions: 10,
    sweep: { 'networks.wan.delay': DELAYS, 'params.probes': PROBES }, filter: [], image: { tag: 'emunet/agent:3f2a9c1', id: 'sha256:1234' }, emunet_version: '0.1.0',
    docker: { version: '20.10.24', api_version: '1.41' }, kernel: '6.1.0', impairment_backend: 'userspace', impairment_seeded: true, reuse_lab: true, labs_deployed: 1,
    started_at: '2026-11-25T10:00:00.000Z', ended_at: '2026-11-25T10:05:00.000Z', runs: { planned: 60, complete: 59, failed: 1 }, measurements: raw.length,
    status: 'partial', failed_runs: [{ point: 2, values: { 'networks.wan.delay': '5ms', 'params.probes': 20 }, repetition: 3, seed: 77, error: 'client: probe exited 1\n<stderr> timeout & retry' }],
    files: { measurements: 'measurements.csv', summary: 'summary.csv', events: 'events.csv', runs: 'runs.csv', logs: 'logs/', plan: 'plan.json', summary_json: 'summary.json' },
  };
  const header = ['lab', 'run_id', 'repetition', 'seed', 'networks.wan.delay', 'params.probes', 'step', 'phase', 'workload', 'node', 'peer', 'metric', 'value', 'unit', 'detail', 'timestamp', 'impairment_backend'];
  const measurementRows = raw.map((r, i) => ['hello', manifest.run_id, 1 + (i % 10), 100 + i, r.delay, r.probes, '1', 'measure', 'probe', r.node, r.peer, r.metric, r.value, r.unit, 'a "quoted", detail', '2026-11-25T10:01:00.000Z', 'userspace']);
  // A warmup value far off: the report must leave it out, as summary.csv does.
  measurementRows.push(['hello', manifest.run_id, 1, 1, '5ms', 20, 'w1', 'warmup', 'probe', 'client', 'server', 'udp_rtt', 9999, 'ms', '', '2026-11-25T10:00:30.000Z', 'userspace']);
  const events = [
    ['hello', manifest.run_id, 1, 1, '', '2026-11-25T10:00:01.000Z', 'run-start', '', '', JSON.stringify({ seed: 77, 'networks.wan.delay': '50ms' })],
    ['hello', manifest.run_id, 1, 1, '1', '2026-11-25T10:00:02.000Z', 'step-start', 'client', '', JSON.stringify({ run: 'probe', args: { target: 'server', count: 20 } })],
    ['hello', manifest.run_id, 1, 1, '2', '2026-11-25T10:00:05.000Z', 'impair', 'client', 'left', JSON.stringify({ change: { set: { delayUs: 100_000 } }, impairment: { delayUs: 100_000 } })],
    ['hello', manifest.run_id, 1, 1, '3', '2026-11-25T10:00:08.000Z', 'kill', 'server', '', ''],
  ];
  await Promise.all([
    writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2)),
    writeFile(path.join(dir, 'summary.json'), JSON.stringify(summary)),
    writeFile(path.join(dir, 'plan.json'), JSON.stringify(threeNodePlan)),
    writeFile(path.join(dir, 'measurements.csv'), csv(header, measurementRows)),
    writeFile(path.join(dir, 'events.csv'), csv(['lab', 'run_id', 'point', 'repetition', 'step', 'time', 'event', 'node', 'network', 'detail'], events)),
  ]);
  return dir;
}
