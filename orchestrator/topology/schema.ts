// The JSON Schema of a topology file: the first and only structural validation pass, and the
// documentation editors show (point yaml-language-server at it). Semantic rules that a schema
// cannot express (references between sections, address arithmetic) live in checks.ts.
//
// Pass-through objects (`config`, step `args`) are the only places where any key is allowed:
// they belong to the role or workload, which validates them itself.
import { DURATION_PATTERN, PERCENT_PATTERN, RATE_PATTERN, UNIT_MEANINGS } from '../impairment/units.js';
import { knownRoles } from '../roles/registry.js';
import { dnsSchema, OWNER_PATTERN, ZONE_PATTERN } from './dns-schema.js';
import { atSchema, attachmentImpairmentProperties, changeImpairmentProperties, networkImpairmentProperties } from './impairment-schema.js';

export const NAME_PATTERN = '^[a-z][a-z0-9-]{0,23}$';
export const WORKLOAD_PATTERN = '^[a-z][a-z0-9-]*$';
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
export const IPV4_PATTERN = `^${OCTET}(\\.${OCTET}){3}$`;
export const CIDR_PATTERN = `^${OCTET}(\\.${OCTET}){3}/(3[0-2]|[12]?[0-9])$`;

export const CAPTURE_PATTERN = '^[a-z][a-z0-9-]{0,23}(:[a-z][a-z0-9-]{0,23})?$';
export const SWEEP_KEY_PATTERN = '^(params\\.[a-z][a-z0-9_-]*|networks\\.[a-z][a-z0-9-]{0,23}\\.[a-z-]+)$';

/** What each pattern means, for messages: users should not have to read regular expressions. */
export const PATTERN_MEANINGS: Record<string, string> = {
  [NAME_PATTERN]: 'a lowercase name of at most 24 letters, digits and dashes, starting with a letter',
  [WORKLOAD_PATTERN]: 'a lowercase workload name of letters, digits and dashes, starting with a letter',
  [IPV4_PATTERN]: 'an IPv4 address like 10.213.1.10',
  [CIDR_PATTERN]: 'a subnet in CIDR form like 10.213.1.0/24',
  [CAPTURE_PATTERN]: 'NODE or NODE:NETWORK (lowercase names)',
  [ZONE_PATTERN]: 'a lowercase domain name like stanford.edu, or . for the root',
  [OWNER_PATTERN]: 'a lowercase name relative to the zone (www, *.api), @ for the zone itself, or an absolute name ending in a dot',
  [SWEEP_KEY_PATTERN]: 'params.NAME or networks.NETWORK.KEY (an impairment key such as delay)',
  [DURATION_PATTERN]: UNIT_MEANINGS.duration,
  [RATE_PATTERN]: UNIT_MEANINGS.rate,
  [PERCENT_PATTERN]: UNIT_MEANINGS.percent,
};

/** The unit to suggest when a number is written without one (`delay: 40` -> `40ms`). */
export const PATTERN_UNITS: Record<string, string> = {
  [DURATION_PATTERN]: 'ms',
  [RATE_PATTERN]: 'mbit',
  [PERCENT_PATTERN]: '%',
};

/** Keys people write that are not ours (or not here): how to say it instead. */
export const KEY_HINTS: Record<string, string> = {
  upload: '`upload` is one member\'s rate: set it on the node\'s attachment (`nodes.NODE.networks.NET: { upload: 1mbit }`); a network\'s `rate` applies to every member',
  download: '`download` is one member\'s ingress rate: set it on the node\'s attachment (`nodes.NODE.networks.NET: { download: 4mbit }`)',
  rate: 'a member\'s own egress rate is `upload` (a network\'s `rate` applies to every member)',
  latency: 'the one-way delay is `delay`',
  bandwidth: 'a network\'s egress rate is `rate`; a member\'s are `upload` and `download`',
};

export const DEFAULTS = {
  pool: '10.213.0.0/16',
  prefix: 24,
  seed: 1,
  repeat: 1,
} as const;

// Docker names, hostnames and interface names all derive from these, hence the 24-character cap.
const name = (what: string) => ({ type: 'string', pattern: NAME_PATTERN, description: `${what}: ${PATTERN_MEANINGS[NAME_PATTERN]}.` });

const network = {
  type: ['object', 'null'],
  description:
    'A Docker network (an emulated link or LAN). May be empty: `left: {}` or `left:`. Impairments (`delay`, `jitter`, `loss`, `rate`…) apply to what EACH member sends on it; a member can override them on its attachment.',
  additionalProperties: false,
  properties: {
    subnet: {
      type: 'string',
      pattern: CIDR_PATTERN,
      description: 'Subnet in CIDR form. Required for static addresses on this network. When omitted, a free block is carved from `pool`. Its first host address (.1) is the Docker bridge gateway and is never given to a node.',
    },
    prefix: {
      type: 'integer',
      minimum: 16,
      maximum: 29,
      default: DEFAULTS.prefix,
      description: `Prefix length of the subnet allocated from \`pool\` when \`subnet\` is omitted (default ${DEFAULTS.prefix}).`,
    },
    ...networkImpairmentProperties,
  },
} as const;

const attachment = {
  type: ['object', 'null'],
  description:
    "How the node joins this network. May be empty: `left:` (address allocated). Impairment keys here override the network's for this member only; `upload` and `download` are its own rates.",
  additionalProperties: false,
  properties: {
    address: { type: 'string', pattern: IPV4_PATTERN, description: "Static IPv4 address inside the network's `subnet`; omit to get one allocated." },
    ...attachmentImpairmentProperties,
  },
} as const;

const node = {
  type: 'object',
  description: 'A container in the lab.',
  additionalProperties: false,
  required: ['role', 'networks'],
  properties: {
    role: { type: 'string', enum: knownRoles(), description: `What the node does: one of ${knownRoles().join(', ')}.` },
    networks: {
      description: "Networks the node joins; the first is its primary network (its name resolves to that address).",
      oneOf: [
        { type: 'array', description: 'List of network names: `[left, right]`.', items: name('Network name') },
        {
          type: 'object',
          description: 'Map of network name to settings: `{ right: { address: 10.213.2.10 } }`.',
          propertyNames: { pattern: NAME_PATTERN },
          additionalProperties: attachment,
        },
      ],
    },
    config: { type: 'object', description: 'Role-specific settings, passed to the role untouched.' },
    resolver: name('The `dns-resolver` node this node\'s /etc/resolv.conf names (default: `dns.resolver`)'),
    host: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*(=.+)?$', description: 'Swarm deploys: the host (hosts file name) this node runs on, or `KEY=VALUE` for any host with that label. Ignored by the local engine.' },
  },
} as const;

const impair = {
  type: 'object',
  description:
    "Change impairments while the experiment runs: on every member of `network`, or only on `node`'s interface on it. Changes accumulate until `reset: true` restores the topology's values.",
  additionalProperties: false,
  required: ['network'],
  properties: {
    network: name('Network whose impairment changes'),
    node: name('Change only this member of `network`'),
    reset: { enum: [true], description: "true: back to the values the topology gives (takes no other settings)." },
    ...changeImpairmentProperties,
  },
} as const;

const workloadNode = name('Node that runs the workload');
const workloadName = { type: 'string', pattern: WORKLOAD_PATTERN, description: 'Workload name, e.g. `probe`.' } as const;

// One object type for both kinds of step (a `oneOf` would report the other kind's errors):
// with `impair` it changes impairments, otherwise it runs a workload and needs `node` and `run`.
/** Fault injection: what happens to a node's container. */
export const FAULTS = {
  kill: 'Kill the node (SIGKILL): it stops answering at once, as a crashed host would.',
  pause: 'Freeze every process of the node (cgroup freezer): it holds state but does not answer.',
  resume: 'Unfreeze a paused node.',
  restart: 'Start the node again (after `kill`, or as a reboot): its agent comes back with the topology\'s configuration; changes made while running are gone.',
} as const;
export type FaultAction = keyof typeof FAULTS;

const faultProperties = Object.fromEntries(Object.entries(FAULTS).map(([action, description]) => [action, name(description)]));

const expectSchema = (what: string) => ({
  type: 'object',
  description: `${what} Formulas use + - * / ^ ( ), min max ceil floor sqrt log2, params.NAME, networks.NET.KEY (delay and jitter in ms, rate in Mbit/s, loss in %) and rtt.A.B (the round trip the topology gives between nodes A and B, in ms), e.g. \`udp_rtt: "2 * networks.wan.delay"\`.`,
  propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
  additionalProperties: { type: 'string', description: 'The formula of the expected value.' },
});

const timing = {
  at: atSchema,
  name: name('Name of this step, for `wait`'),
  background: { type: 'boolean', description: 'true: start this step and go on with the next at once (join it later with `wait`).' },
};

/**
 * A step schema whose "selector" keys (any of `selectors`) make it something other than a
 * workload; without one, it runs a workload and needs `node` and `run`.
 */
const stepSchema = (description: string, extra: Record<string, unknown>) => {
  const selectors = ['impair', ...Object.keys(FAULTS), ...Object.keys(extra)];
  return {
    type: 'object',
    description,
    additionalProperties: false,
    properties: {
      ...timing,
      node: workloadNode,
      run: workloadName,
      args: { type: 'object', description: 'Workload arguments, passed to the workload untouched.' },
      expect: expectSchema('Expected value of a metric this step measures, by formula (overrides the experiment\'s `expect:` for this step).'),
      impair,
      ...faultProperties,
      ...extra,
    },
    // (`properties` repeated so that ajv's strict mode sees the required keys declared, and so
    // that "missing key" messages can quote their descriptions.)
    if: { anyOf: selectors.map((key) => ({ properties: { [key]: true }, required: [key] })) },
    else: { properties: { node: workloadNode, run: workloadName }, required: ['node', 'run'] },
  } as const;
};

const simpleStep = stepSchema('Run one workload on one node (`node`, `run`, `args`), change impairments (`impair`), or inject a fault (`kill`, `pause`, `resume`, `restart`: NODE).', {});

const step = stepSchema(
  'Run one workload on one node (`node`, `run`, `args`), change impairments (`impair`), inject a fault (`kill`, `pause`, `resume`, `restart`: NODE), start steps together (`parallel`), or wait for earlier ones (`wait`).',
  {
    parallel: { type: 'array', minItems: 1, items: simpleStep, description: 'Steps started together (each may have its own `at`, from the start of the group); the group ends when all have ended.' },
    wait: {
      anyOf: [{ enum: ['all'] }, { type: 'array', minItems: 1, items: name('Name of an earlier step') }],
      description: '`all`: wait until every step started before this one (background and timed ones included) has ended; or a list of step names.',
    },
  },
);

const steps = (description: string) => ({ type: 'array', description, items: step }) as const;

export const topologySchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'emunet topology',
  description: 'A lab: Docker networks, the containers on them, and an optional experiment. Strings may use ${VAR} and ${VAR:-default}.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'networks', 'nodes'],
  properties: {
    name: name('Lab name, the prefix of every Docker object of the lab'),
    engine: { type: 'string', enum: ['local', 'swarm'], description: '`swarm`: networks are overlays on a Docker Swarm and nodes may run on several hosts (docs/multi-host.md); default `local`, or `--engine`.' },
    pool: {
      type: 'string',
      pattern: CIDR_PATTERN,
      default: DEFAULTS.pool,
      description: `Address pool that subnets without \`subnet\` are allocated from (default ${DEFAULTS.pool}). Blocks used by other Docker networks are skipped.`,
    },
    networks: {
      type: 'object',
      description: 'Networks by name. A network nobody joins is allowed.',
      propertyNames: { pattern: NAME_PATTERN },
      additionalProperties: network,
    },
    nodes: {
      type: 'object',
      description: 'Nodes (containers) by name; the name is also the hostname.',
      propertyNames: { pattern: NAME_PATTERN },
      additionalProperties: node,
    },
    experiment: {
      type: 'object',
      description: 'What to run once the lab is up.',
      additionalProperties: false,
      properties: {
        seed: { type: 'integer', minimum: 0, default: DEFAULTS.seed, description: `Seed of every random choice, recorded in the run manifest (default ${DEFAULTS.seed}).` },
        repeat: { type: 'integer', minimum: 1, default: DEFAULTS.repeat, description: `How many times the steps are run (default ${DEFAULTS.repeat}).` },
        steps: steps('What a repetition does, in order: workloads, impairment changes, faults, parallel groups, barriers.'),
        warmup: steps('Steps run before `steps` in every repetition (e.g. to fill a cache); their records are kept, marked `phase: warmup`, and left out of summaries.'),
        'reuse-lab': { type: 'boolean', default: true, description: 'true (default): one lab for the whole experiment, swept network values applied between points. false: a fresh lab for every run (cold caches, no state carried over).' },
        capture: {
          type: 'array',
          description: 'Interfaces to record to pcap files (results DIR/pcap/NODE-NETWORK.pcap) for the whole run: `NODE` (every interface) or `NODE:NETWORK`.',
          items: { type: 'string', pattern: CAPTURE_PATTERN },
        },
        expect: expectSchema('Expected value of a metric, by formula, written beside the measured one in summary.csv (expected, ratio = mean / expected).'),
        sweep: {
          type: 'object',
          description:
            'Parameters to vary: each key takes every value in its list, and every combination (the cartesian product, in the order written) is run `repeat` times with its own derived seed. Keys: `params.NAME` (used as ${params.NAME} in step args) or `networks.NET.KEY` for an impairment key of a network (delay, loss, rate, …), applied to the running lab between points.',
          propertyNames: { pattern: SWEEP_KEY_PATTERN },
          additionalProperties: { type: 'array', minItems: 1, items: { type: ['string', 'number', 'boolean'] }, description: 'The values this parameter takes, in order.' },
        },
      },
    },
    dns: dnsSchema,
    params: {
      type: 'object',
      description: 'Named values for step args (`${params.NAME}`), with their defaults; a sweep varies them.',
      propertyNames: { pattern: '^[a-z][a-z0-9_-]*$' },
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
  },
} as const;
