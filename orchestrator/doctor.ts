import type { Context } from './api.js';
import { chooseBackend } from './impairment/backend.js';
import { probeKernel } from './impairment/probe.js';
import { agentTag, bundleAgent } from './images/agent.js';
import { baseTag } from './images/base.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when it is not ok. */
  fix?: string;
}

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
    const probe = await probeKernel(ctx.runtime, base, ctx.owner);
    checks.push(...probe.checks);
    try {
      checks.push({ name: 'impairment', ok: true, detail: `backend ${chooseBackend('auto', probe.features)} (auto)` });
    } catch (e) {
      checks.push({ name: 'impairment', ok: false, detail: (e as Error).message });
    }
  }
  return checks;
}
