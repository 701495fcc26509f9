// One interface's impairment -> the commands that put it in place on that interface, on either
// backend. Applying the same impairment twice gives the same state as once; applying `{}`
// removes everything emunet added (qdiscs, ifb device, iptables rules). With the userspace
// backend this covers rates and link failure; where delay, jitter and loss happen is decided
// per packet kind in ingress.ts (and carried out by the delayer, delayer.ts).
// Pure: bundled into the in-container agent.
import { dropRule, ensureRule, linkDownRuleSet, type Command, type ImpairmentPlan } from './commands.js';
import type { LinkImpairment } from './spec.js';
import { egressCommands, ingressCommands } from './tc.js';
import { needsNetem, validateImpairment } from './validate.js';

export interface NetemBackendOptions {
  backend: 'netem';
  /**
   * Seed of netem's random choices (`netem … seed N`), which makes loss, corruption and
   * reordering repeat from run to run. Needs iproute2 >= 6.6 (older tc rejects the word: "What is
   * "seed"?") and Linux >= 6.6 (older kernels ignore it). Leave it out where the probe finds an
   * older tc — Debian bookworm's is 6.1 — and record in the manifest that netem seeded itself.
   */
  seed?: number;
}

export interface UserspaceBackendOptions {
  backend: 'userspace';
}

export type BackendOptions = NetemBackendOptions | UserspaceBackendOptions;

/**
 * The commands that give device `dev` exactly `impairment`, whatever it had before. Throws
 * InvalidImpairment or UnsupportedImpairment (validate.ts) before producing anything, so nothing
 * is ever half-applied. Order: a link going down is cut first, one coming up is restored last,
 * so it never carries traffic with half-applied settings.
 */
export function impairmentPlan(dev: string, impairment: LinkImpairment, options: BackendOptions): ImpairmentPlan {
  validateImpairment(impairment, options.backend);
  const down = linkDownRuleSet(dev);
  const netem = options.backend === 'netem' && needsNetem(impairment) ? { seed: options.seed } : undefined;
  const commands: Command[] = [
    ...(impairment.down === true ? down.map(ensureRule) : []),
    ...egressCommands(dev, impairment, netem),
    ...ingressCommands(dev, impairment.downloadBps),
    ...(impairment.down === true ? [] : down.map(dropRule)),
  ];
  return { commands };
}

/** Everything emunet added to the device removed: the plan for `{}`. */
export function resetPlan(dev: string, options: BackendOptions): ImpairmentPlan {
  return impairmentPlan(dev, {}, options);
}
