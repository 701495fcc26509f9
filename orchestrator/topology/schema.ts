// The JSON Schema of a topology file: the first and only structural validation pass, and the
// documentation editors show (point yaml-language-server at it). Semantic rules that a schema
// cannot express (references between sections, address arithmetic) live in checks.ts.
//
// Pass-through objects (`config`, step `args`) are the only places where any key is allowed:
// they belong to the role or workload, which validates them itself.
import { knownRoles } from '../roles/registry.js';

export const NAME_PATTERN = '^[a-z][a-z0-9-]{0,23}$';
export const WORKLOAD_PATTERN = '^[a-z][a-z0-9-]*$';
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
export const IPV4_PATTERN = `^${OCTET}(\\.${OCTET}){3}$`;
export const CIDR_PATTERN = `^${OCTET}(\\.${OCTET}){3}/(3[0-2]|[12]?[0-9])$`;

/** What each pattern means, for messages: users should not have to read regular expressions. */
export const PATTERN_MEANINGS: Record<string, string> = {
  [NAME_PATTERN]: 'a lowercase name of at most 24 letters, digits and dashes, starting with a letter',
  [WORKLOAD_PATTERN]: 'a lowercase workload name of letters, digits and dashes, starting with a letter',
  [IPV4_PATTERN]: 'an IPv4 address like 10.213.1.10',
  [CIDR_PATTERN]: 'a subnet in CIDR form like 10.213.1.0/24',
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
  description: 'A Docker network (an emulated link or LAN). May be empty: `left: {}` or `left:`.',
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
  },
} as const;

const attachment = {
  type: ['object', 'null'],
  description: 'How the node joins this network. May be empty: `left:` (address allocated).',
  additionalProperties: false,
  properties: {
    address: { type: 'string', pattern: IPV4_PATTERN, description: "Static IPv4 address inside the network's `subnet`; omit to get one allocated." },
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
  },
} as const;

const step = {
  type: 'object',
  description: 'Run one workload on one node.',
  additionalProperties: false,
  required: ['node', 'run'],
  properties: {
    node: name('Node that runs the workload'),
    run: { type: 'string', pattern: WORKLOAD_PATTERN, description: 'Workload name, e.g. `probe`.' },
    args: { type: 'object', description: 'Workload arguments, passed to the workload untouched.' },
  },
} as const;

export const topologySchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'emunet topology',
  description: 'A lab: Docker networks, the containers on them, and an optional experiment. Strings may use ${VAR} and ${VAR:-default}.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'networks', 'nodes'],
  properties: {
    name: name('Lab name, the prefix of every Docker object of the lab'),
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
        steps: { type: 'array', description: 'Workloads, run in order.', items: step },
      },
    },
  },
} as const;
