import { LABEL } from '../deploy/labels.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { ImpairmentBackend, ImpairmentChange, LinkImpairment } from './spec.js';

// Orchestrator-only: changes impairments of a running lab. Each member's agent owns its
// interface's state (what the topology configured, what changed since), so the orchestrator
// only says what changes, on which network, and for which nodes.

export interface ImpairTarget {
  network: string;
  /** One member only; every member of the network when undefined. */
  node?: string;
}

export interface ImpairmentEvent {
  /** When the change took effect everywhere, ISO 8601. */
  time: string;
  lab: string;
  node: string;
  network: string;
  change: ImpairmentChange;
  /** What the interface has now. */
  impairment: LinkImpairment;
}

export class ImpairTargetError extends Error {}

export const impairArgv = (network: string, change: ImpairmentChange, target: string | undefined, backend: ImpairmentBackend, seed?: number) => [
  'node', '/opt/emunet/agent.mjs', 'impair', JSON.stringify({ network, change, target, backend, seed }),
];

export async function changeImpairment(runtime: ContainerRuntime, lab: string, target: ImpairTarget, change: ImpairmentChange, backend: ImpairmentBackend, seed?: number): Promise<ImpairmentEvent[]> {
  const containers = await runtime.listContainers({ [LABEL.lab]: lab });
  if (containers.length === 0) throw new ImpairTargetError(`no lab "${lab}" is running (see \`emunet inspect\`)`);
  const networkOf = (c: (typeof containers)[number]) => (c.labels[LABEL.addresses] ?? '').split(',').map((a) => a.split('=')[0]);
  const members = containers.filter((c) => networkOf(c).includes(target.network));
  if (members.length === 0) {
    const networks = [...new Set(containers.flatMap(networkOf))].sort();
    throw new ImpairTargetError(`lab "${lab}" has no network "${target.network}"; its networks are [${networks.join(', ')}]`);
  }
  const chosen = target.node === undefined ? members : members.filter((c) => c.labels[LABEL.node] === target.node);
  if (chosen.length === 0) {
    throw new ImpairTargetError(`node "${target.node}" is not on network "${target.network}" of lab "${lab}"; its members are [${members.map((c) => c.labels[LABEL.node]).sort().join(', ')}]`);
  }
  // Every member hears of the change: with the userspace backend, receivers carry out a sender's delay.
  const results = await Promise.all(
    members.map(async (c) => {
      const r = await runtime.exec(c.id, impairArgv(target.network, change, target.node, backend, seed));
      if (r.exitCode !== 0) throw new Error(`impairing ${c.labels[LABEL.node]}:${target.network} failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { node: string; network: string; impairment?: LinkImpairment };
    }),
  );
  const time = new Date().toISOString();
  return results.flatMap((r) => (r.impairment === undefined ? [] : [{ time, lab, node: r.node, network: r.network, change, impairment: r.impairment }]));
}
