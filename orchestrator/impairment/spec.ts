// Link impairment, normalised to integers in base units. Semantics (DESIGN.md contract 1):
// every value applies to the packets a node SENDS on one interface (its egress), except
// `downloadBps`, which shapes what it receives. So a network's `delay: 20ms` gives every member
// 20 ms of one-way delay and two members see an RTT of 40 ms.

export type JitterDistribution = 'uniform' | 'normal' | 'pareto' | 'paretonormal';

export interface LinkImpairment {
  /** One-way delay added to each sent packet, microseconds. */
  delayUs?: number;
  /** Random variation of the delay, microseconds (needs delayUs). */
  jitterUs?: number;
  /** Distribution of the jitter; default normal. */
  distribution?: JitterDistribution;
  /** Correlation of successive delays, percent. */
  delayCorrelationPct?: number;
  /** Fraction of sent packets dropped, percent (0..100). */
  lossPct?: number;
  /** Correlation of successive loss decisions, percent. */
  lossCorrelationPct?: number;
  /** Packets duplicated, percent (netem backend only). */
  duplicatePct?: number;
  /** Packets with a flipped bit, percent (netem backend only). */
  corruptPct?: number;
  /** Packets sent immediately, ahead of delayed ones, percent. Without it, order is kept. */
  reorderPct?: number;
  /** Queue length in packets of the delaying stage. */
  limitPackets?: number;
  /** Egress rate (serialisation), bits per second: a network's `rate` or a member's `upload`. */
  rateBps?: number;
  /** Ingress rate, bits per second: a member's `download`. */
  downloadBps?: number;
  /** Link failure: nothing is sent or received on this interface. */
  down?: boolean;
}

export type ImpairmentBackend = 'netem' | 'userspace';

/**
 * A change made while a lab runs (an experiment's `impair` step, `emunet impair`): new values
 * for the keys given, or back to the topology's values (then, optionally, new values: a sweep
 * point in one step). Changes accumulate until a reset (see accumulateChange in effective.ts).
 */
export type ImpairmentChange = { set: LinkImpairment } | { reset: true; set?: LinkImpairment };
