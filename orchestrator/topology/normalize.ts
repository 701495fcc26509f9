// A schema-valid document -> the Topology model: defaults applied, both spellings of a node's
// networks (list or map) turned into one ordered list of attachments, impairment values with
// units turned into integers in base units.
import { parseSettings, type ImpairmentSettings } from '../impairment/settings.js';
import { parseDuration } from '../impairment/units.js';
import { keyAt, valueAt, type DocLocation } from './doc-path.js';
import { DEFAULTS, FAULTS, type FaultAction } from './schema.js';
import { absoluteName, canonicalZone } from '../dns/names.js';
import { BY_CLIENT_DEFAULT, RECORD_TYPES, type RecordType } from './dns-schema.js';
import type { Attachment, ExperimentDef, NetworkDef, NodeDef, ParamValue, StepDef, Topology, ZoneDef, ZoneRecord } from './types.js';

/** The data as the schema guarantees it: what users write, before defaults. */
export interface TopologyDocument {
  name: string;
  engine?: 'local' | 'swarm';
  pool?: string;
  networks: Record<string, ({ subnet?: string; prefix?: number } & ImpairmentSettings) | null>;
  nodes: Record<string, NodeDocument>;
  experiment?: {
    seed?: number;
    repeat?: number;
    steps?: StepDocument[];
    warmup?: StepDocument[];
    sweep?: Record<string, ParamValue[]>;
    expect?: Record<string, string>;
    'reuse-lab'?: boolean;
    capture?: string[];
  };
  params?: Record<string, ParamValue>;
  dns?: { resolver?: string; zones?: Record<string, ZoneDocument | null> };
}

export interface NodeDocument {
  role: string;
  networks: string[] | Record<string, AttachmentDocument | null>;
  config?: Record<string, unknown>;
  resolver?: string;
  host?: string;
}

type RecordValues = string | number | (string | number)[];
/** `{ by-client: { NETWORK-or-NODE: values } }`: A records whose answer depends on the asker (dns-schema.ts). */
export interface ByClientDocument { 'by-client': Record<string, RecordValues> }
export type RecordSetDocument = Partial<Record<RecordType, RecordValues | ByClientDocument>> & { ttl?: number };
export interface ZoneDocument { ttl?: number; 'negative-ttl'?: number; records?: Record<string, RecordSetDocument>; file?: string; dnssec?: boolean | { broken?: string[] } }

export type AttachmentDocument = { address?: string } & ImpairmentSettings;

/** Any kind of step: the schema requires `node` and `run` when nothing else says what it is. */
export type StepDocument = {
  at?: string;
  name?: string;
  background?: boolean;
  parallel?: StepDocument[];
  wait?: 'all' | string[];
  node?: string;
  run?: string;
  args?: Record<string, unknown>;
  expect?: Record<string, string>;
  impair?: ImpairDocument;
} & { [action in FaultAction]?: string };

export const FAULT_KEYS = Object.keys(FAULTS) as FaultAction[];

export type ImpairDocument = { network: string; node?: string; reset?: true } & ImpairmentSettings;

export function normalize(document: TopologyDocument, file: string, hash: string): Topology {
  const networks: NetworkDef[] = Object.entries(document.networks).map(([name, network]) => ({
    name,
    ...(network?.subnet === undefined ? {} : { subnet: network.subnet }),
    prefix: network?.prefix ?? DEFAULTS.prefix,
    impairment: parseSettings(network ?? {}),
  }));
  const nodes: NodeDef[] = Object.entries(document.nodes).map(([name, node]) => ({
    name,
    role: node.role,
    attachments: attachments(node),
    config: node.config ?? {},
    ...(node.resolver ?? document.dns?.resolver ? { resolver: node.resolver ?? document.dns?.resolver } : {}),
    ...(node.host === undefined ? {} : { host: node.host }),
  }));
  return {
    name: document.name,
    file,
    hash,
    pool: document.pool ?? DEFAULTS.pool,
    ...(document.engine === undefined ? {} : { engine: document.engine }),
    networks,
    nodes,
    ...(document.experiment === undefined ? {} : { experiment: experiment(document.experiment) }),
    params: document.params ?? {},
    dns: {
      ...(document.dns?.resolver === undefined ? {} : { resolver: document.dns.resolver }),
      zones: Object.entries(document.dns?.zones ?? {}).map(([name, z]) => zoneDef(name, z ?? {})),
    },
  };
}

/** A zone as written; records from its `file` are added when the topology is loaded (dns/zone-files.ts). */
function zoneDef(written: string, z: ZoneDocument): ZoneDef {
  const name = canonicalZone(written);
  const ttl = z.ttl ?? 3600;
  const records = Object.entries(z.records ?? {}).flatMap(([owner, set]) =>
    (Object.keys(RECORD_TYPES) as RecordType[]).flatMap((type) => {
      const values = set[type];
      if (values === undefined) return [];
      const records = (v: RecordValues, at: (string | number)[], client?: string): ZoneRecord[] =>
        (Array.isArray(v) ? v : [v]).map((value, i) => ({
          owner: absoluteName(owner, name), type, ttl: set.ttl ?? ttl, value, origin: name,
          at: { path: [...at, ...(Array.isArray(v) ? [i] : [])] },
          ...(client === undefined || client === BY_CLIENT_DEFAULT ? {} : { client }),
        }));
      const at = ['dns', 'zones', written, 'records', owner, type];
      if (typeof values === 'object' && !Array.isArray(values)) return Object.entries(values['by-client']).flatMap(([client, v]) => records(v, [...at, 'by-client', client], client));
      return records(values, at);
    }),
  );
  const dnssec = z.dnssec === true ? { broken: [] } : typeof z.dnssec === 'object' ? { broken: (z.dnssec.broken ?? []).map((o) => absoluteName(o, name)) } : undefined;
  return { name, ttl, negativeTtl: z['negative-ttl'] ?? 300, records, ...(z.file === undefined ? {} : { file: z.file }), ...(dnssec ? { dnssec } : {}) };
}

function attachments(node: NodeDocument): Attachment[] {
  if (Array.isArray(node.networks)) return node.networks.map((network) => ({ network, impairment: {} }));
  return Object.entries(node.networks).map(([network, settings]) => ({
    network,
    ...(settings?.address === undefined ? {} : { address: settings.address }),
    impairment: parseSettings(settings ?? {}),
  }));
}

function experiment(document: NonNullable<TopologyDocument['experiment']>): ExperimentDef {
  return {
    seed: document.seed ?? DEFAULTS.seed,
    repeat: document.repeat ?? DEFAULTS.repeat,
    steps: (document.steps ?? []).map(step),
    warmup: (document.warmup ?? []).map(step),
    sweep: Object.entries(document.sweep ?? {}).map(([key, values]) => ({ key, values })),
    expect: document.expect ?? {},
    reuseLab: document['reuse-lab'] ?? true,
    capture: (document.capture ?? []).map((target) => {
      const [node = '', network] = target.split(':');
      return network === undefined ? { node } : { node, network };
    }),
  };
}

/** What a step is follows from its selector key (a step with two is reported by the checks). */
function step(document: StepDocument): StepDef {
  // The schema checked the pattern: parseDuration cannot fail here.
  const at = {
    ...(document.at === undefined ? {} : { at: (parseDuration(document.at) ?? 0) / 1000 }),
    ...(document.name === undefined ? {} : { name: document.name }),
    ...(document.background === undefined ? {} : { background: document.background }),
  };
  if (document.parallel !== undefined) return { kind: 'parallel', ...at, steps: document.parallel.map(step) };
  if (document.wait !== undefined) return { kind: 'wait', ...at, for: document.wait };
  const fault = FAULT_KEYS.find((key) => document[key] !== undefined);
  if (fault !== undefined) return { kind: 'fault', ...at, action: fault, node: document[fault]! };
  const impair = document.impair;
  if (impair === undefined) return { kind: 'workload', ...at, node: document.node ?? '', run: document.run ?? '', args: document.args ?? {}, ...(document.expect ? { expect: document.expect } : {}) };
  return {
    kind: 'impair',
    ...at,
    network: impair.network,
    ...(impair.node === undefined ? {} : { node: impair.node }),
    change: impair.reset === true ? { reset: true } : { set: parseSettings(impair) },
  };
}

/** Where a node's attachment was written, so checks can point at it. */
export interface AttachmentOrigin {
  /** The network's name: a list item (`networks[1]`), or a map key (`networks.right`). */
  network: DocLocation;
  /** The static address (map form), or the network entry when there is none. */
  address: DocLocation;
}

export function attachmentOrigin(document: TopologyDocument, node: string, index: number): AttachmentOrigin {
  const networks = document.nodes[node]?.networks ?? [];
  const base = ['nodes', node, 'networks'];
  if (Array.isArray(networks)) return { network: valueAt([...base, index]), address: valueAt([...base, index]) };
  const name = Object.keys(networks)[index] ?? '';
  const hasAddress = networks[name]?.address !== undefined;
  return { network: keyAt([...base, name]), address: hasAddress ? valueAt([...base, name, 'address']) : keyAt([...base, name]) };
}
