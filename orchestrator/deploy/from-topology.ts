// Topology -> running lab: the impairment backend chosen for this kernel, the subnets planned
// around the engine's networks (again, if another lab takes one meanwhile), then deployLab.
import type { Context } from '../api.js';
import { allActions } from '../experiment/runner.js';
import type { AgentImage } from '../images/agent.js';
import { chooseBackend } from '../impairment/backend.js';
import { probeKernel } from '../impairment/probe.js';
import type { ImpairmentBackend } from '../impairment/spec.js';
import { validateImpairment } from '../impairment/validate.js';
import { EngineError } from '../runtime/runtime.js';
import { SubnetClashError } from '../swarm/cluster-runtime.js';
import { planLab } from '../topology/plan.js';
import type { LabPlan, Topology } from '../topology/types.js';
import { deployLab } from './deploy.js';
import type { Lab } from './lab.js';

export async function deployTopology(topology: Topology, image: AgentImage, ctx: Context): Promise<Lab> {
  ctx.reporter.done(`images ready (${image.tag}${image.built ? ', just built' : ''})`);
  if (topology.engine === 'swarm' && !ctx.cluster) throw new Error(`${topology.file} asks for \`engine: swarm\`, but no Swarm is connected\n  fix: run it with the emunet CLI (it connects the local engine, or the hosts of --hosts FILE)`);
  for (let attempt = 1; ; attempt++) {
    const taken = (await ctx.runtime.listNetworks()).flatMap((n) => n.subnets);
    const plan = planLab(topology, { taken });
    try {
      const lab = await deployPlan(topology, plan, image.tag, ctx);
      ctx.reporter.done(`deployed lab ${lab.name}: ${lab.nodes.length} nodes, ${lab.networks.length} networks (${(lab.timings.totalMs / 1000).toFixed(1)} s)`);
      return lab;
    } catch (e) {
      // Another lab (another terminal, a parallel test) took a free subnet between our look and
      // our create; deployLab has rolled back, so plan again around it — unless nothing changed.
      // On a Swarm that shows only when a node joins its overlay (SubnetClashError).
      if (!((e instanceof EngineError && /Pool overlaps/.test(e.message)) || e instanceof SubnetClashError) || attempt === 3) throw e;
      const again = planLab(topology, { taken: (await ctx.runtime.listNetworks()).flatMap((n) => n.subnets) });
      // (A clashing bridge may be gone again by now: then the same plan is fine.)
      if (again.networks.every((n, i) => n.subnet === plan.networks[i]!.subnet) && !(e instanceof SubnetClashError)) throw e;
      ctx.reporter.info(`another lab took a subnet meanwhile (${e.message.split('\n')[0]}); planning the lab's subnets again`);
    }
  }
}

async function deployPlan(topology: Topology, plan: LabPlan, image: string, ctx: Context): Promise<Lab> {
  const impairment = needsImpairment(topology, plan) ? { ...(await pickBackend(plan, image, ctx)), seed: topology.experiment?.seed ?? 1 } : undefined;
  const swarm = ctx.cluster ? await ctx.cluster.prepare(topology, plan, image, ctx.reporter) : undefined;
  return deployLab(plan, {
    runtime: ctx.runtime,
    image,
    owner: ctx.owner,
    topologyFile: topology.file,
    impairment,
    reporter: ctx.reporter,
    concurrency: ctx.concurrency,
    readyTimeoutMs: ctx.readyTimeoutMs,
    signal: ctx.signal,
    ...(swarm ? { swarm } : {}),
  });
}

/** Configured impairment, impairment steps, or swept network values all need a backend from the start. */
const needsImpairment = (topology: Topology, plan: LabPlan) =>
  plan.nodes.some((n) => n.interfaces.some((i) => Object.keys(i.impairment).length > 0)) ||
  (topology.experiment ? allActions(topology.experiment).some((s) => s.kind === 'impair') : false) ||
  (topology.experiment?.sweep.some((s) => s.key.startsWith('networks.')) ?? false);

/** Probes the kernel, picks the backend, and checks every interface's impairment fits it, before anything is created. */
async function pickBackend(plan: LabPlan, image: string, ctx: Context): Promise<{ backend: ImpairmentBackend; seeded: boolean }> {
  const { features } = await probeKernel(ctx.runtime, image, ctx.owner);
  const backend = chooseBackend(ctx.impairmentBackend, features);
  for (const node of plan.nodes) {
    for (const i of node.interfaces) {
      try {
        validateImpairment(i.impairment, backend);
      } catch (e) {
        throw new Error(`nodes.${node.name}.networks.${i.network}: ${(e as Error).message}`);
      }
    }
  }
  const why = ctx.impairmentBackend !== 'auto' ? 'as requested' : backend === 'netem' ? 'kernel has sch_netem' : 'sch_netem missing';
  // netem repeats its random choices only where tc and the kernel take a seed; the delayer always does.
  const seeded = backend === 'userspace' || features.netemSeed;
  ctx.reporter.done(`impairments: backend=${backend} (${why})${seeded ? '' : ', netem seeds itself: losses will not repeat exactly'}`);
  return { backend, seeded };
}

