// The JSON Schema of link impairments: keys on a network (every member), on a node's attachment
// (that member, overriding the network key by key) and in an experiment's `impair` step.
// Values are strings with units, checked by pattern, so `delay: 40` (no unit) is refused.
import { DISTRIBUTIONS, SETTINGS_ON, type SettingKey } from '../impairment/settings.js';
import { DURATION_PATTERN, PERCENT_PATTERN, RATE_PATTERN, UNIT_MEANINGS } from '../impairment/units.js';

const RATE_UNITS = 'bit, kbit, mbit, gbit are bits/s (SI, as tc reads them: 1mbit = 1 000 000 bit/s); bps, kbps, mbps, gbps are BYTES/s, as in tc (1mbps = 8mbit)';

const duration = (description: string) => ({ type: 'string', pattern: DURATION_PATTERN, description: `${description} Written as ${UNIT_MEANINGS.duration}.` });
const percent = (description: string) => ({ type: 'string', pattern: PERCENT_PATTERN, description: `${description} Written as ${UNIT_MEANINGS.percent}.` });
const rate = (description: string) => ({ type: 'string', pattern: RATE_PATTERN, description: `${description} ${RATE_UNITS}.` });

const SCHEMAS: Record<SettingKey, object> = {
  delay: duration(
    'ONE-WAY delay added to every packet a member sends on this network. The RTT between two members is 2 × delay; a path through routers adds the delay of each network it crosses, once per hop in each direction.',
  ),
  jitter: duration('Random variation of the delay, drawn from `distribution` (needs `delay`).'),
  distribution: { type: 'string', enum: [...DISTRIBUTIONS], description: `How the jitter is distributed: ${DISTRIBUTIONS.join(', ')} (default normal).` },
  'delay-correlation': percent('How much each packet\'s jitter follows the previous packet\'s (needs `jitter`).'),
  loss: percent('Share of the packets a member sends that are dropped. Each direction loses it, so a request and its answer both survive with (1 - loss)².'),
  'loss-correlation': percent('How much each loss decision follows the previous one, making losses come in bursts (needs `loss`).'),
  duplicate: percent('Share of sent packets sent twice. Needs the kernel\'s sch_netem (not available with the userspace backend).'),
  corrupt: percent('Share of sent packets with one bit flipped. Needs the kernel\'s sch_netem (not available with the userspace backend).'),
  reorder: percent('Share of sent packets sent at once, without the delay, so they overtake delayed ones (needs `delay`).'),
  limit: { type: 'integer', minimum: 1, description: 'Queue length, in packets, of the delaying stage (default 1000); packets beyond it are dropped.' },
  rate: rate('Egress rate of EACH member on this network, e.g. 10mbit: what every member sends is shaped to it, independently (not a shared medium). 0 lifts the limit.'),
  upload: rate('This member\'s egress rate on this network, e.g. 1mbit; overrides the network\'s `rate`.'),
  download: rate('This member\'s ingress rate on this network, e.g. 4mbit: what it receives is shaped to it.'),
  down: { type: 'boolean', description: 'true: the interface neither sends nor receives (a failed link); false: it works again.' },
};

function properties(keys: readonly SettingKey[], prefix = ''): Record<string, object> {
  return Object.fromEntries(keys.map((key) => [key, prefix === '' ? SCHEMAS[key] : withPrefix(SCHEMAS[key], prefix)]));
}

function withPrefix(schema: object, prefix: string): object {
  const described = schema as { description?: string };
  return { ...schema, description: `${prefix}${described.description ?? ''}` };
}

/** On a network: what every member gets. */
export const networkImpairmentProperties = properties(SETTINGS_ON.network);

/** On a node's attachment: that member's values, each overriding the network's. */
export const attachmentImpairmentProperties = properties(SETTINGS_ON.attachment, 'For this member only, overriding the network\'s value. ');

/** In an experiment's `impair` step: every key, `down` included. */
export const changeImpairmentProperties = properties(SETTINGS_ON.change);

/** When a step starts, relative to its repetition. */
export const atSchema = duration('When the step starts, as an offset from the start of the repetition, e.g. 20s.');
