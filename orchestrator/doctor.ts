import { randomBytes } from 'node:crypto';
import type { Context } from './api.js';
import { LABEL } from './deploy/labels.js';
import { agentTag, bundleAgent } from './images/agent.js';
import { baseTag } from './images/base.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when it is not ok. */
  fix?: string;
}

/** Kernel features for link impairment, each tried for real in a throwaway network namespace. */
export const KERNEL_PROBES: { name: string; argv: string[]; fix: string }[] = [
  { name: 'netem qdisc', argv: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], fix: 'load sch_netem (`modprobe sch_netem`; on Fedora/RHEL install kernel-modules-extra); emunet falls back to its userspace backend' },
  { name: 'tbf qdisc', argv: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', '1mbit', 'burst', '32kb', 'latency', '50ms'], fix: 'load sch_tbf' },
  { name: 'ifb device', argv: ['ip', 'link', 'add', 'emunet-ifb0', 'type', 'ifb'], fix: 'load the ifb module (ingress shaping needs it)' },
  { name: 'NFQUEUE target', argv: ['iptables', '-A', 'OUTPUT', '-o', 'lo', '-j', 'NFQUEUE', '--queue-num', '0', '--queue-bypass'], fix: 'load nfnetlink_queue / xt_NFQUEUE (the userspace impairment backend needs it)' },
];

export async function doctor(ctx: Context): Promise<Check[]> {
  const checks: Check[] = [];
  let info;
  try {
    info = await ctx.runtime.info();
  } catch (e) {
    return [{ name: 'Docker engine', ok: false, detail: (e as Error).message, fix: 'start Docker (`npm run setup` installs and starts Debian\'s engine), or set DOCKER_HOST' }];
  }
  const [major = 0, minor = 0] = info.apiVersion.split('.').map(Number);
  checks.push({ name: 'Docker engine', ok: true, detail: `${info.version}, ${info.os}, ${info.cpus} CPUs, ${(info.memoryBytes / 2 ** 30).toFixed(1)} GiB` });
  checks.push({ name: 'Docker API', ok: major > 1 || minor >= 41, detail: info.apiVersion, fix: 'emunet needs API 1.41 (Docker 20.10) or newer' });
  checks.push({ name: 'kernel', ok: true, detail: info.kernel });

  const base = await baseTag();
  const baseId = await ctx.images.imageId(base);
  checks.push({ name: 'base image', ok: !!baseId, detail: baseId ? base : `${base} missing`, fix: 'run `emunet images build`' });
  if (baseId) {
    const tag = await agentTag(baseId, await bundleAgent());
    const present = !!(await ctx.images.imageId(tag));
    checks.push({ name: 'agent image', ok: present, detail: present ? tag : `${tag} missing (sources changed or never built)`, fix: 'run `emunet images build`' });
    checks.push(...(await probeKernel(ctx, base)));
  }
  return checks;
}

/** Each probe in a fresh container with no network: it touches nothing but its own namespace. */
async function probeKernel(ctx: Context, image: string): Promise<Check[]> {
  const id = await ctx.runtime.createContainer({
    name: `emunet-doctor-${randomBytes(4).toString('hex')}`,
    image,
    labels: { [LABEL.helper]: 'doctor', [LABEL.owner]: ctx.owner },
    entrypoint: ['sleep', 'infinity'],
    networkMode: 'none',
    capAdd: ['NET_ADMIN'],
  });
  try {
    await ctx.runtime.startContainer(id);
    const results: Check[] = [];
    for (const probe of KERNEL_PROBES) {
      const r = await ctx.runtime.exec(id, probe.argv);
      results.push({ name: probe.name, ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'available' : r.stderr.trim().split('\n')[0] ?? 'unavailable', fix: probe.fix });
      await ctx.runtime.exec(id, ['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
    }
    return results;
  } finally {
    await ctx.runtime.removeContainer(id);
  }
}
