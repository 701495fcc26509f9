// tc argv for one device: netem for delay, jitter, loss, duplication, corruption and reordering;
// tbf for rates; an ifb device for the ingress (`download`) rate. Pure: bundled into the agent.
//
// Egress layout, the same on both backends wherever it can be:
//   rate only (either backend) .......... root 2: tbf
//   netem options (netem backend) ....... root 1: netem (3: for uniform jitter, see netemHandle),
//                                         and for a rate its child 10: tbf (parent 1:1 or 3:1)
//   delayer options (userspace backend) . NFQUEUE in iptables, then root 2: tbf for a rate
// Netem first, then tbf, is the composition the netem documentation gives: every packet gets its
// delay independently of queueing, then tbf serialises at the link rate and its byte-limited queue
// is the bottleneck buffer. netem's own `rate` is not used: it queues in netem's packet-counted
// FIFO and the userspace backend could not match it, while tbf behaves the same on both.
// Each kind of root qdisc has its own handle: `replace` with the handle of an existing qdisc of
// another kind fails ("Invalid qdisc name"), with a new handle it swaps the root in one step.
import type { Command } from './commands.js';
import type { LinkImpairment } from './spec.js';
import { formatTcDuration, formatTcPercent, formatTcRate } from './units.js';

export const HANDLE = { netem: '1:', netemUniform: '3:', tbfUnderNetem: '10:', tbf: '2:', ingress: 'ffff:' } as const;

/**
 * netem draws jitter from a table tc loads from `<name>.dist`; none exists for uniform, which is
 * the kernel's behaviour when no table is given. But `replace` keeps a table loaded earlier, so a
 * uniform netem gets its own handle: switching to it creates a fresh netem, without a table.
 */
export function netemHandle(impairment: LinkImpairment): string {
  return (impairment.jitterUs ?? 0) > 0 && impairment.distribution === 'uniform' ? HANDLE.netemUniform : HANDLE.netem;
}

/** A full-size Ethernet frame as tbf counts it (1500 bytes of MTU plus the 14-byte header). */
export const FRAME_BYTES = 1514;
/** Coarsest common kernel timer (HZ=250): tbf must be able to send 4 ms worth at one wake-up. */
const TICKS_PER_SECOND = 250;
/** The bottleneck buffer holds this much traffic at the rate: one BDP for RTTs up to 100 ms. */
const QUEUE_MS = 100;
const MIN_QUEUE_FRAMES = 10;

/**
 * tbf's bucket: at least what the rate allows per timer tick, so a late wake-up does not cost
 * throughput, and at least two full frames, since tbf never sends a packet larger than its bucket.
 */
export function tbfBurstBytes(rateBps: number): number {
  return Math.max(Math.ceil(rateBps / (8 * TICKS_PER_SECOND)), 2 * FRAME_BYTES);
}

/**
 * tbf's queue, bytes: 100 ms at the rate, so a single TCP flow can keep the link busy (the
 * lecture's F/B formulas assume it does), but never fewer than ten frames on slow links.
 */
export function tbfLimitBytes(rateBps: number): number {
  return tbfBurstBytes(rateBps) + Math.max(Math.ceil((rateBps * QUEUE_MS) / 8000), MIN_QUEUE_FRAMES * FRAME_BYTES);
}

export function tbfOptions(rateBps: number): string[] {
  return ['tbf', 'rate', formatTcRate(rateBps), 'burst', String(tbfBurstBytes(rateBps)), 'limit', String(tbfLimitBytes(rateBps))];
}

/**
 * netem's options. `replace` on an existing netem only updates the attributes it is given, and
 * the kernel keeps the old correlations and corruption when they are absent, so those are always
 * stated, zeros included (the `loss random L% C%` clause carries all correlations): every apply
 * then sets exactly what it says, whatever was there before. `seed` makes loss, corruption and
 * reordering repeatable (iproute2 >= 6.6 with Linux >= 6.6; see NetemOptions.seed).
 */
export function netemOptions(impairment: LinkImpairment, seed: number | undefined): string[] {
  const { delayUs = 0, jitterUs = 0, delayCorrelationPct = 0, lossPct = 0, lossCorrelationPct = 0 } = impairment;
  const options = ['netem'];
  if (impairment.limitPackets !== undefined) options.push('limit', String(impairment.limitPackets));
  if (delayUs > 0) {
    options.push('delay', formatTcDuration(delayUs));
    if (jitterUs > 0) {
      options.push(formatTcDuration(jitterUs), formatTcPercent(delayCorrelationPct));
      // Stated even when it is the default: netem keeps the previous table otherwise.
      const distribution = impairment.distribution ?? 'normal';
      if (distribution !== 'uniform') options.push('distribution', distribution);
    }
  }
  options.push('loss', 'random', formatTcPercent(lossPct), formatTcPercent(lossCorrelationPct));
  if ((impairment.duplicatePct ?? 0) > 0) options.push('duplicate', formatTcPercent(impairment.duplicatePct ?? 0));
  options.push('corrupt', formatTcPercent(impairment.corruptPct ?? 0));
  if ((impairment.reorderPct ?? 0) > 0) options.push('reorder', formatTcPercent(impairment.reorderPct ?? 0));
  if (seed !== undefined) options.push('seed', String(seed));
  return options;
}

const qdisc = (verb: 'replace' | 'del', dev: string, ...rest: string[]) => ['tc', 'qdisc', verb, 'dev', dev, ...rest];

/** The device's root qdiscs: netem (with a tbf child for a rate), a lone tbf, or none. */
export function egressCommands(dev: string, impairment: LinkImpairment, netem: { seed: number | undefined } | undefined): Command[] {
  const rate = impairment.rateBps ?? 0;
  if (netem !== undefined) {
    const handle = netemHandle(impairment);
    const child = `${handle}1`;
    return [
      { argv: qdisc('replace', dev, 'root', 'handle', handle, ...netemOptions(impairment, netem.seed)) },
      rate > 0
        ? { argv: qdisc('replace', dev, 'parent', child, 'handle', HANDLE.tbfUnderNetem, ...tbfOptions(rate)) }
        : { argv: qdisc('del', dev, 'parent', child, 'handle', HANDLE.tbfUnderNetem), mayFail: true },
    ];
  }
  if (rate > 0) return [{ argv: qdisc('replace', dev, 'root', 'handle', HANDLE.tbf, ...tbfOptions(rate)) }];
  return [{ argv: qdisc('del', dev, 'root'), mayFail: true }];
}

/** `ifb-eth1`: interface names are at most 15 characters (IFNAMSIZ). */
export function ifbName(dev: string): string {
  const name = `ifb-${dev}`;
  if (name.length > 15) throw new Error(`device name "${dev}" is too long for its ingress shaper "${name}" (at most 11 characters)`);
  return name;
}

/**
 * Ingress (`download`) rate: tc can only shape what a device sends, so everything arriving on the
 * device is redirected to an ifb device and shaped as that one's egress. u32 + mirred, because
 * matchall is not available everywhere (ENVIRONMENT.md). The filter has a fixed handle so that
 * `filter replace` replaces it; without one, u32 would add a second filter on every apply.
 */
export function ingressCommands(dev: string, downloadBps: number | undefined): Command[] {
  const ifb = ifbName(dev);
  if (downloadBps === undefined || downloadBps <= 0) {
    return [
      { argv: qdisc('del', dev, 'ingress'), mayFail: true },
      { argv: ['ip', 'link', 'del', ifb], mayFail: true },
    ];
  }
  return [
    { argv: ['ip', 'link', 'add', ifb, 'type', 'ifb'], unless: ['ip', 'link', 'show', ifb] },
    { argv: ['ip', 'link', 'set', 'dev', ifb, 'up'] },
    { argv: qdisc('replace', ifb, 'root', 'handle', HANDLE.tbf, ...tbfOptions(downloadBps)) },
    { argv: qdisc('replace', dev, 'handle', HANDLE.ingress, 'ingress') },
    {
      argv: ['tc', 'filter', 'replace', 'dev', dev, 'parent', HANDLE.ingress, 'protocol', 'all', 'prio', '1', 'handle', '800::800', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', ifb],
    },
  ];
}
