// What one interface actually gets: the network's values, overridden key by key by the member's
// own (its attachment), then by the changes made while the lab runs. Pure, so the orchestrator,
// the CLI (`emunet impair`) and the agent all compute the same thing.
import type { ImpairmentChange, LinkImpairment } from './spec.js';

export function effectiveImpairment(network: LinkImpairment, attachment: LinkImpairment, change?: ImpairmentChange): LinkImpairment {
  const configured = overlay(network, attachment);
  return change === undefined ? configured : overlay(configured, change.set ?? {});
}

/**
 * The one change equivalent to `previous` followed by `next`: settings accumulate (a later
 * `delay` does not undo an earlier `loss`) until a reset, which forgets everything before it.
 */
export function accumulateChange(previous: ImpairmentChange | undefined, next: ImpairmentChange): ImpairmentChange {
  if ('reset' in next || previous === undefined) return next;
  return { ...previous, set: overlay(previous.set ?? {}, next.set) };
}

/** `base` with every key `over` defines replaced; keys set to undefined do not erase. */
function overlay(base: LinkImpairment, over: LinkImpairment): LinkImpairment {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) if (value !== undefined) result[key] = value;
  return result as LinkImpairment;
}
