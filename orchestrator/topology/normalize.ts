// A schema-valid document -> the Topology model: defaults applied, both spellings of a node's
// networks (list or map) turned into one ordered list of attachments.
import { keyAt, valueAt, type DocLocation } from './doc-path.js';
import { DEFAULTS } from './schema.js';
import type { Attachment, ExperimentDef, NetworkDef, NodeDef, Topology } from './types.js';

/** The data as the schema guarantees it: what users write, before defaults. */
export interface TopologyDocument {
  name: string;
  pool?: string;
  networks: Record<string, { subnet?: string; prefix?: number } | null>;
  nodes: Record<string, NodeDocument>;
  experiment?: {
    seed?: number;
    repeat?: number;
    steps?: { node: string; run: string; args?: Record<string, unknown> }[];
  };
}

export interface NodeDocument {
  role: string;
  networks: string[] | Record<string, { address?: string } | null>;
  config?: Record<string, unknown>;
}

export function normalize(document: TopologyDocument, file: string, hash: string): Topology {
  const networks: NetworkDef[] = Object.entries(document.networks).map(([name, network]) => ({
    name,
    ...(network?.subnet === undefined ? {} : { subnet: network.subnet }),
    prefix: network?.prefix ?? DEFAULTS.prefix,
  }));
  const nodes: NodeDef[] = Object.entries(document.nodes).map(([name, node]) => ({
    name,
    role: node.role,
    attachments: attachments(node),
    config: node.config ?? {},
  }));
  return {
    name: document.name,
    file,
    hash,
    pool: document.pool ?? DEFAULTS.pool,
    networks,
    nodes,
    ...(document.experiment === undefined ? {} : { experiment: experiment(document.experiment) }),
  };
}

function attachments(node: NodeDocument): Attachment[] {
  if (Array.isArray(node.networks)) return node.networks.map((network) => ({ network }));
  return Object.entries(node.networks).map(([network, settings]) => ({
    network,
    ...(settings?.address === undefined ? {} : { address: settings.address }),
  }));
}

function experiment(document: NonNullable<TopologyDocument['experiment']>): ExperimentDef {
  return {
    seed: document.seed ?? DEFAULTS.seed,
    repeat: document.repeat ?? DEFAULTS.repeat,
    steps: (document.steps ?? []).map((step) => ({ node: step.node, run: step.run, args: step.args ?? {} })),
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
