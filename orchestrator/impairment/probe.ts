import { randomBytes } from 'node:crypto';
import { LABEL } from '../deploy/labels.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { KernelFeatures } from './backend.js';

// Orchestrator-only: tries each kernel feature for real in a throwaway container with no
// network, so it touches nothing but its own namespace. Asking the kernel is the only honest
// answer: module lists lie inside containers and differ between distributions.

export const KERNEL_PROBES: { feature: keyof KernelFeatures; name: string; argv: string[]; fix: string }[] = [
  { feature: 'netem', name: 'netem qdisc', argv: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], fix: 'load sch_netem (`modprobe sch_netem`; on Fedora/RHEL install kernel-modules-extra); meanwhile emunet uses its userspace backend' },
  { feature: 'netemSeed', name: 'netem seed', argv: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms', 'seed', '1'], fix: 'needs iproute2 and Linux >= 6.6; without it netem seeds itself and its losses do not repeat from run to run (the userspace backend always repeats)' },
  { feature: 'tbf', name: 'tbf qdisc', argv: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', '1mbit', 'burst', '32kb', 'latency', '50ms'], fix: 'load sch_tbf (rate shaping needs it)' },
  { feature: 'ifb', name: 'ifb device', argv: ['ip', 'link', 'add', 'emunet-ifb0', 'type', 'ifb'], fix: 'load the ifb module (download shaping needs it)' },
  { feature: 'nfqueue', name: 'NFQUEUE target', argv: ['iptables', '-A', 'OUTPUT', '-o', 'lo', '-j', 'NFQUEUE', '--queue-num', '0', '--queue-bypass'], fix: 'load nfnetlink_queue and xt_NFQUEUE (the userspace backend needs them)' },
];

export interface ProbeResult {
  features: KernelFeatures;
  checks: { name: string; ok: boolean; detail: string; fix: string }[];
}

export async function probeKernel(runtime: ContainerRuntime, image: string, owner: string): Promise<ProbeResult> {
  const id = await runtime.createContainer({
    name: `emunet-probe-${randomBytes(4).toString('hex')}`,
    image,
    labels: { [LABEL.helper]: 'probe', [LABEL.owner]: owner },
    entrypoint: ['sleep', 'infinity'],
    networkMode: 'none',
    capAdd: ['NET_ADMIN'],
  });
  try {
    await runtime.startContainer(id);
    const features: KernelFeatures = { netem: false, netemSeed: false, tbf: false, ifb: false, nfqueue: false };
    const checks: ProbeResult['checks'] = [];
    for (const probe of KERNEL_PROBES) {
      const r = await runtime.exec(id, probe.argv);
      features[probe.feature] = r.exitCode === 0;
      checks.push({ name: probe.name, ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'available' : (r.stderr.trim().split('\n')[0] ?? 'unavailable'), fix: probe.fix });
      await runtime.exec(id, ['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
    }
    return { features, checks };
  } finally {
    await runtime.removeContainer(id);
  }
}
