// Impairment settings as users write them — topology keys and `emunet impair` flags share these
// names — and their translation into a LinkImpairment. Pure: also bundled into the agent.
import type { JitterDistribution, LinkImpairment } from './spec.js';
import { UNIT_MEANINGS, parseDuration, parsePercent, parseRate } from './units.js';

export const DISTRIBUTIONS: readonly JitterDistribution[] = ['normal', 'uniform', 'pareto', 'paretonormal'];

/** Every key, as written. Which ones a place accepts is the schema's business (see SETTINGS_ON). */
export interface ImpairmentSettings {
  delay?: string;
  jitter?: string;
  distribution?: string;
  'delay-correlation'?: string;
  loss?: string;
  'loss-correlation'?: string;
  duplicate?: string;
  corrupt?: string;
  reorder?: string;
  limit?: number;
  /** A network's egress rate for each member (also in `impair` steps). */
  rate?: string;
  /** One member's egress rate: overrides the network's `rate`. */
  upload?: string;
  /** One member's ingress rate. */
  download?: string;
  down?: boolean;
}

export type SettingKey = keyof ImpairmentSettings;

interface SettingSpec {
  field: keyof LinkImpairment;
  /** What a valid value looks like, for messages. */
  expected: string;
  parse(value: unknown): LinkImpairment[keyof LinkImpairment] | undefined;
}

const duration = (field: keyof LinkImpairment): SettingSpec => ({ field, expected: UNIT_MEANINGS.duration, parse: (v) => (typeof v === 'string' ? parseDuration(v) : undefined) });
const rate = (field: keyof LinkImpairment): SettingSpec => ({ field, expected: UNIT_MEANINGS.rate, parse: (v) => (typeof v === 'string' ? parseRate(v) : undefined) });
const percent = (field: keyof LinkImpairment): SettingSpec => ({ field, expected: UNIT_MEANINGS.percent, parse: (v) => (typeof v === 'string' ? parsePercent(v) : undefined) });

// In this order `upload` comes after `rate`, so it wins where both are given (the CLI allows it).
export const SETTINGS: Readonly<Record<SettingKey, SettingSpec>> = {
  delay: duration('delayUs'),
  jitter: duration('jitterUs'),
  distribution: {
    field: 'distribution',
    expected: `one of ${DISTRIBUTIONS.join(', ')}`,
    parse: (v) => DISTRIBUTIONS.find((d) => d === v),
  },
  'delay-correlation': percent('delayCorrelationPct'),
  loss: percent('lossPct'),
  'loss-correlation': percent('lossCorrelationPct'),
  duplicate: percent('duplicatePct'),
  corrupt: percent('corruptPct'),
  reorder: percent('reorderPct'),
  limit: {
    field: 'limitPackets',
    expected: 'a whole number of packets, at least 1',
    parse: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined),
  },
  rate: rate('rateBps'),
  upload: rate('rateBps'),
  download: rate('downloadBps'),
  down: { field: 'down', expected: 'true or false', parse: (v) => (typeof v === 'boolean' ? v : undefined) },
};

/** The keys each place in a topology accepts: per-member ones only on a node's attachment. */
export const SETTINGS_ON = {
  network: ['delay', 'jitter', 'distribution', 'delay-correlation', 'loss', 'loss-correlation', 'duplicate', 'corrupt', 'reorder', 'limit', 'rate'],
  attachment: ['delay', 'jitter', 'distribution', 'delay-correlation', 'loss', 'loss-correlation', 'duplicate', 'corrupt', 'reorder', 'limit', 'upload', 'download'],
  change: ['delay', 'jitter', 'distribution', 'delay-correlation', 'loss', 'loss-correlation', 'duplicate', 'corrupt', 'reorder', 'limit', 'rate', 'upload', 'download', 'down'],
} as const satisfies Record<string, readonly SettingKey[]>;

/** A setting whose value cannot be used (only reachable from input the schema did not check). */
export class InvalidSettingError extends Error {
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${key}: expected ${expected}, found ${JSON.stringify(value)}`);
    this.name = 'InvalidSettingError';
  }
}

/**
 * The settings given -> a LinkImpairment with exactly the corresponding fields. Keys that are not
 * impairment settings (`subnet`, `address`, `network`…) are ignored, so a topology entry can be
 * passed whole. Throws InvalidSettingError.
 */
export function parseSettings(settings: Readonly<ImpairmentSettings>): LinkImpairment {
  const impairment: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS)) {
    const value: unknown = (settings as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const parsed = spec.parse(value);
    if (parsed === undefined) throw new InvalidSettingError(key, value, spec.expected);
    impairment[spec.field] = parsed;
  }
  return impairment as LinkImpairment;
}

/** The key a user writes for a field; `rateBps` is `upload` on an attachment. */
export function settingKey(field: keyof LinkImpairment, on: 'network' | 'attachment' = 'network'): SettingKey {
  if (field === 'rateBps') return on === 'attachment' ? 'upload' : 'rate';
  const key = (Object.keys(SETTINGS) as SettingKey[]).find((k) => SETTINGS[k].field === field);
  return key ?? (field as SettingKey);
}
