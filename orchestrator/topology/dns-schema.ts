// The `dns:` section of a topology and the DNS keys of a node: which resolver each node's
// /etc/resolv.conf names, and the zones the lab's name servers serve. Delegations (NS + glue),
// SOA records and root hints are derived from the topology, never written by hand.

export const ZONE_PATTERN = '^(\\.|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?)$';
export const OWNER_PATTERN = '^(@|\\*|(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\\.?)$';

/** Record types a zone in the topology may hold, and how their values are written. */
export const RECORD_TYPES = {
  A: 'IPv4 address, or the name of a lab node (its address); a list for several',
  AAAA: 'IPv6 address; a list for several',
  CNAME: 'the canonical name (relative to the zone, or absolute with a final dot)',
  MX: '"PREFERENCE EXCHANGE", e.g. "10 mail"; a list for several',
  TXT: 'text; a list for several strings',
  PTR: 'a domain name',
  SRV: '"PRIORITY WEIGHT PORT TARGET", e.g. "0 5 5060 sip"',
} as const;
export type RecordType = keyof typeof RECORD_TYPES;

const oneOrMany = (description: string) => ({
  description,
  anyOf: [{ type: ['string', 'number'] }, { type: 'array', minItems: 1, items: { type: ['string', 'number'] } }],
});

/**
 * A records whose answer depends on who asks (a CDN's request routing, lecture "CDN using DNS"):
 * `{ by-client: { region-a: replica-a, region-b: replica-b, default: origin } }`. A key is a
 * network (queries from its subnet) or a node (queries from its addresses); `default` answers
 * everyone else. The asker is the resolver that queries the server, as for a real CDN.
 */
export const BY_CLIENT_DEFAULT = 'default';
const byClient = {
  type: 'object',
  description: 'Answers by asker: `{ by-client: { NETWORK-or-NODE: A-value(s), default: A-value(s) } }`.',
  additionalProperties: false,
  required: ['by-client'],
  properties: {
    'by-client': {
      type: 'object',
      minProperties: 1,
      description: 'Keys: a network (queries from its subnet), a node (from its addresses), or `default` (everyone else). Values: as for A.',
      additionalProperties: oneOrMany('IPv4 addresses or lab nodes answered to these askers.'),
    },
  },
} as const;

const recordSet = {
  type: 'object',
  description: 'The records of one name, by type: `{ A: web }`, `{ A: [web1, web2], ttl: 60 }`, `{ CNAME: www }`, `{ MX: "10 mail" }`, `{ A: { by-client: { net-a: replica-a, net-b: replica-b } } }`.',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ...Object.fromEntries(Object.entries(RECORD_TYPES).map(([type, how]) => [type, oneOrMany(`${type} records: ${how}.`)])),
    A: { description: `A records: ${RECORD_TYPES.A}; or \`{ by-client: {...} }\` for answers that depend on the asker (a CDN).`, anyOf: [...oneOrMany('').anyOf, byClient] },
    ttl: { type: 'integer', minimum: 0, maximum: 2147483647, description: 'TTL of these records in seconds (default: the zone\'s `ttl`).' },
  },
} as const;

const zone = {
  type: ['object', 'null'],
  description: 'A zone served in the lab by the name servers that list it in `config.zones`. Its SOA, NS records and the delegation in its parent (NS + glue) are derived.',
  additionalProperties: false,
  properties: {
    ttl: { type: 'integer', minimum: 0, maximum: 2147483647, default: 3600, description: 'TTL in seconds of records that give none (default 3600).' },
    'negative-ttl': { type: 'integer', minimum: 0, maximum: 2147483647, default: 300, description: 'SOA minimum: how long resolvers may cache "no such name" / "no such record" answers from this zone (RFC 2308), seconds (default 300).' },
    records: {
      type: 'object',
      description: 'Records by owner name: `www`, `@` (the zone itself), `*.api` (wildcard), or an absolute name with a final dot.',
      propertyNames: { pattern: OWNER_PATTERN },
      additionalProperties: recordSet,
    },
    file: { type: 'string', minLength: 1, description: 'A master file (RFC 1035 §5, as BIND reads it), relative to the topology file; its records are added to `records`.' },
    dnssec: {
      description: 'Sign the zone at deploy time (ECDSA P-256, algorithm 13: KSK + ZSK, RRSIG, NSEC, DS in the parent): `true`, or `{ broken: [www] }` to corrupt the signatures of these owner names (a bogus answer on purpose).',
      anyOf: [
        { type: 'boolean' },
        { type: 'object', additionalProperties: false, properties: { broken: { type: 'array', items: { type: 'string', pattern: OWNER_PATTERN }, description: 'Owner names (relative to the zone, or absolute with a final dot) whose RRSIGs are corrupted.' } } },
      ],
    },
  },
} as const;

export const dnsSchema = {
  type: 'object',
  description: 'DNS in the lab: the zones its name servers serve, and the resolver hosts use.',
  additionalProperties: false,
  properties: {
    resolver: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,23}$', description: 'The `dns-resolver` node every node\'s /etc/resolv.conf names (a node can name another with its own `resolver:`).' },
    zones: {
      type: 'object',
      description: 'Zones by name (`stanford.edu`, `cam.ac.uk`; `.` is the root, served by the `dns-root` nodes).',
      propertyNames: { pattern: ZONE_PATTERN },
      additionalProperties: zone,
    },
  },
} as const;
