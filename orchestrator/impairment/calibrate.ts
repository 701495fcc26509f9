import { LABEL } from '../deploy/labels.js';
import { percentile } from '../results/summary.js';
import type { ContainerInfo, ContainerRuntime } from '../runtime/runtime.js';
import type { LinkImpairment } from './spec.js';

// Orchestrator-only. Does each network do what the topology says? For one pair of members per
// network: many ICMP round trips (the kernel answers, so no agent time is in the figure) against
// the configured delay(a) + delay(b), and TCP goodput against the configured rate.

export interface CalibrationRow {
  network: string;
  from: string;
  to: string;
  probes: number;
  configured_rtt_ms: number;
  min_rtt_ms: number;
  median_rtt_ms: number;
  p99_rtt_ms: number;
  /** median − configured. */
  rtt_error_ms: number;
  /** Empty when no rate is configured between the two. */
  configured_mbit: number | '';
  goodput_mbit: number | '';
  goodput_error_pct: number | '';
}

export interface CalibrateOptions {
  probes: number;
  /** Seconds of bulk transfer per rate-limited network. */
  seconds: number;
}

const networksOf = (c: ContainerInfo) => (c.labels[LABEL.addresses] ?? '').split(',').filter(Boolean).map((a) => { const [network, cidr] = a.split('='); return { network: network!, address: cidr!.split('/')[0]! }; });

const round = (v: number) => Math.round(v * 1000) / 1000;

export async function calibrateLab(runtime: ContainerRuntime, lab: string, o: CalibrateOptions): Promise<CalibrationRow[]> {
  const containers = (await runtime.listContainers({ [LABEL.lab]: lab })).sort((a, b) => a.name.localeCompare(b.name));
  if (containers.length === 0) throw new Error(`no lab "${lab}" is running (see \`emunet inspect\`)`);
  const networks = [...new Set(containers.flatMap((c) => networksOf(c).map((n) => n.network)))].sort();
  const rows: CalibrationRow[] = [];
  for (const network of networks) {
    const [a, b] = containers.filter((c) => networksOf(c).some((n) => n.network === network));
    if (!a || !b) continue;
    const bAddress = networksOf(b).find((n) => n.network === network)!.address;
    const [ia, ib] = await Promise.all([linkStatus(runtime, a, network), linkStatus(runtime, b, network)]);
    const rtts = await pingTimes(runtime, a, bAddress, o.probes);
    const configured = ((ia.delayUs ?? 0) + (ib.delayUs ?? 0)) / 1000;
    const median = percentile(rtts, 50);
    const rates = [ia.rateBps, ib.downloadBps].filter((r): r is number => r !== undefined && r > 0);
    const configuredMbit = rates.length > 0 ? Math.min(...rates) / 1e6 : undefined;
    const goodput = configuredMbit === undefined ? undefined : await bulkUpload(runtime, a, bAddress, o.seconds);
    rows.push({
      network,
      from: a.labels[LABEL.node]!,
      to: b.labels[LABEL.node]!,
      probes: rtts.length,
      configured_rtt_ms: configured,
      min_rtt_ms: rtts[0] ?? NaN,
      median_rtt_ms: median,
      p99_rtt_ms: percentile(rtts, 99),
      rtt_error_ms: round(median - configured),
      configured_mbit: configuredMbit ?? '',
      goodput_mbit: goodput ?? '',
      goodput_error_pct: goodput === undefined || configuredMbit === undefined ? '' : round((100 * (goodput - configuredMbit)) / configuredMbit),
    });
  }
  return rows;
}

async function linkStatus(runtime: ContainerRuntime, c: ContainerInfo, network: string): Promise<LinkImpairment> {
  const r = await runtime.exec(c.id, ['node', '/opt/emunet/agent.mjs', 'status']);
  if (r.exitCode !== 0) throw new Error(`${c.labels[LABEL.node]}: agent status failed: ${r.stderr.trim()}`);
  const status = JSON.parse(r.stdout) as { links: { network: string; impairment: LinkImpairment }[] };
  return status.links.find((l) => l.network === network)?.impairment ?? {};
}

/** Sorted ICMP RTTs in ms; lost probes are simply absent. */
async function pingTimes(runtime: ContainerRuntime, c: ContainerInfo, address: string, count: number): Promise<number[]> {
  const r = await runtime.exec(c.id, ['ping', '-n', '-c', String(count), '-i', '0.01', '-W', '2', address]);
  return [...r.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1])).sort((x, y) => x - y);
}

async function bulkUpload(runtime: ContainerRuntime, c: ContainerInfo, address: string, seconds: number): Promise<number> {
  const r = await runtime.exec(c.id, ['node', '/opt/emunet/agent.mjs', 'workload', 'bulk', JSON.stringify({ target: address, direction: 'upload', seconds })]);
  if (r.exitCode !== 0) throw new Error(`${c.labels[LABEL.node]}: bulk transfer to ${address} failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).value as number;
}
