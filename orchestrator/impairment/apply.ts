// One interface's impairment -> the commands that put it in place, on either backend. Applying
// the same impairment twice gives the same state as once; applying `{}` removes everything
// emunet added (qdiscs, ifb device, iptables rules). Pure: bundled into the in-container agent.
import { delayerRule, dropRule, ensureRule, linkDownRuleSet, type Command, type ImpairmentPlan } from './commands.js';
import { delayerArgv, delayerConfig, delayerConfigPath } from './delayer.js';
import type { LinkImpairment } from './spec.js';
import { egressCommands, ingressCommands } from './tc.js';
import { needsDelayer, needsNetem, validateImpairment } from './validate.js';

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
  /** Seed of the delayer's random choices (loss, jitter, reordering). */
  seed: number;
  /** NFQUEUE number of this device's delayer; keep it stable per device (removal names it). */
  queue: number;
}

export type BackendOptions = NetemBackendOptions | UserspaceBackendOptions;

/** What the userspace backend's delayer for one device must be running with. */
export interface DelayerSetup {
  configPath: string;
  /** Content of configPath. */
  config: string;
  argv: string[];
}

export interface InterfaceImpairmentPlan extends ImpairmentPlan {
  /**
   * Userspace backend only: the delayer this device needs. Write its config and have it running
   * BEFORE running `commands` (they send the device's traffic to it, and without it that traffic
   * stops); when undefined, stop any delayer of the device AFTER running them.
   */
  delayer?: DelayerSetup;
}

/**
 * The commands that give device `dev` exactly `impairment`, whatever it had before. Throws
 * InvalidImpairment or UnsupportedImpairment (validate.ts) before producing anything, so nothing
 * is ever half-applied. Order: a link going down is cut first, one coming up is restored last,
 * so it never carries traffic with half-applied settings.
 */
export function impairmentPlan(dev: string, impairment: LinkImpairment, options: BackendOptions): InterfaceImpairmentPlan {
  validateImpairment(impairment, options.backend);
  const down = linkDownRuleSet(dev);
  const delayed = options.backend === 'userspace' && needsDelayer(impairment);
  const netem = options.backend === 'netem' && needsNetem(impairment) ? { seed: options.seed } : undefined;
  const commands: Command[] = [
    ...(impairment.down === true ? down.map(ensureRule) : []),
    ...egressCommands(dev, impairment, netem),
    ...ingressCommands(dev, impairment.downloadBps),
    ...(options.backend === 'userspace' ? [delayed ? ensureRule(delayerRule(dev, options.queue)) : dropRule(delayerRule(dev, options.queue))] : []),
    ...(impairment.down === true ? [] : down.map(dropRule)),
  ];
  if (!delayed || options.backend !== 'userspace') return { commands };
  return {
    commands,
    delayer: { configPath: delayerConfigPath(dev), config: delayerConfig(impairment, options.seed), argv: delayerArgv(dev, options.queue) },
  };
}

/** Everything emunet added to the device removed: the plan for `{}`. */
export function resetPlan(dev: string, options: BackendOptions): InterfaceImpairmentPlan {
  return impairmentPlan(dev, {}, options);
}
