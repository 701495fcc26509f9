import type { FaultAction } from './schema.js';

// The topology model, stage by stage:
//   YAML text --load--> Topology (validated, defaults applied) --plan--> LabPlan (addresses, routes)
// Nothing here holds runtime (Docker) objects.
import type { ImpairmentChange, LinkImpairment } from '../impairment/spec.js';

export type { ImpairmentChange, LinkImpairment } from '../impairment/spec.js';

/** One problem found in a topology, located in its source file. */
export interface Diagnostic {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
  /** Path in the document, e.g. `nodes.client.networks[1]`; '' for the document itself. */
  path: string;
  /** What is wrong, what was expected, what was found. */
  message: string;
  /** How to fix it, when we can tell. */
  hint?: string;
}

export interface NetworkDef {
  name: string;
  /** CIDR as written by the user; undefined means "allocate one from the pool". */
  subnet?: string;
  /** Prefix length for an allocated subnet (default 24). */
  prefix: number;
  /** What every member gets on this network, as written ({} for none); see PlannedInterface.impairment. */
  impairment: LinkImpairment;
}

export interface Attachment {
  network: string;
  /** Static IPv4 address; undefined means "allocate". */
  address?: string;
  /** This member's own values (`upload` is rateBps, `download` downloadBps), overriding the network's. */
  impairment: LinkImpairment;
}

export interface NodeDef {
  name: string;
  role: string;
  /** Networks in the order written; the first one is the node's primary network. */
  attachments: Attachment[];
  /** Role-specific configuration, passed to the agent untouched. */
  config: Record<string, unknown>;
  /** The `dns-resolver` node its /etc/resolv.conf names (its own `resolver:`, else `dns.resolver`). */
  resolver?: string;
  /** Swarm deploys: a host name, or `KEY=VALUE` for hosts with that label (swarm/placement.ts). */
  host?: string;
}

/** What every kind of step may say about when it runs. */
export interface StepTiming {
  /** Offset from the start of the repetition (of the group, inside `parallel`), milliseconds. */
  at?: number;
  /** Name that `wait:` steps refer to. */
  name?: string;
  /** Start it and go on with the next step at once (join it later with `wait`). */
  background?: boolean;
}

export interface WorkloadStep extends StepTiming {
  kind: 'workload';
  node: string;
  /** Workload name, e.g. `probe`. */
  run: string;
  args: Record<string, unknown>;
  /** metric -> formula of the value this step should measure (overrides the experiment's). */
  expect?: Record<string, string>;
}

/** Changes the impairment of every member of `network`, or of `node`'s interface on it. */
export interface ImpairStep extends StepTiming {
  kind: 'impair';
  network: string;
  node?: string;
  change: ImpairmentChange;
}

/** Fault injection on one node's container. */
export interface FaultStep extends StepTiming {
  kind: 'fault';
  action: FaultAction;
  node: string;
}

/** Steps started together; the group ends when the last of them ends. */
export interface ParallelStep extends StepTiming {
  kind: 'parallel';
  steps: StepDef[];
}

/** A barrier: goes on once the named steps (or every step started before it) have ended. */
export interface WaitStep extends StepTiming {
  kind: 'wait';
  for: 'all' | string[];
}

export type StepDef = WorkloadStep | ImpairStep | FaultStep | ParallelStep | WaitStep;

export type ParamValue = string | number | boolean;

/** One swept parameter: `params.NAME` or `networks.NET.KEY`, and its values in order. */
export interface SweepDef {
  key: string;
  values: ParamValue[];
}

export interface ExperimentDef {
  seed: number;
  repeat: number;
  steps: StepDef[];
  /** Empty when nothing is swept: one parameter point. */
  sweep: SweepDef[];
  /** metric -> formula of its expected value (see experiment/expression.ts). */
  expect: Record<string, string>;
  /** Steps run before `steps` in every repetition; their records are kept with phase `warmup`. */
  warmup: StepDef[];
  /** Keep one lab for every run (false: a fresh lab per run, e.g. for cold caches). */
  reuseLab: boolean;
  /** Interfaces recorded to pcap files for the whole run. */
  capture: CaptureTarget[];
}

/** A node's interface on one network, or every interface of the node. */
export interface CaptureTarget {
  node: string;
  network?: string;
}

/** Where a zone record was written: a path in the topology, or a line of a master file. */
export type RecordOrigin = { path: (string | number)[] } | { file: string; line: number; col: number };

export interface ZoneRecord {
  /** Absolute owner name, lower case, no final dot. */
  owner: string;
  type: string;
  ttl: number;
  /** As written: relative names in it are relative to `origin`. */
  value: string | number | string[];
  origin: string;
  at: RecordOrigin;
  /** Served only to askers on this network or node (`by-client`, a CDN's request routing); absent: to everyone. */
  client?: string;
}

export interface ZoneDef {
  /** '.' for the root, else lower case without a final dot. */
  name: string;
  ttl: number;
  /** SOA minimum: the negative-caching TTL (RFC 2308). */
  negativeTtl: number;
  records: ZoneRecord[];
  /** A master file next to the topology, as written. */
  file?: string;
  /** Signed with DNSSEC at deploy time; `broken`: owners whose signatures are corrupted on purpose. */
  dnssec?: { broken: string[] };
}

export interface DnsDef {
  /** Default resolver node for every node's /etc/resolv.conf. */
  resolver?: string;
  zones: ZoneDef[];
}

export interface Topology {
  /** Lab name: also the prefix of every Docker object's name. */
  name: string;
  /** Absolute path of the file it came from ('<inline>' for text). */
  file: string;
  /** sha256 (hex) of the interpolated document as canonical JSON (see hash.ts): comments and formatting do not count. */
  hash: string;
  /** Address pool (CIDR) that unallocated subnets are carved from. */
  pool: string;
  /** `swarm`: overlay networks, nodes across hosts (docs/multi-host.md); absent: the local engine. */
  engine?: 'local' | 'swarm';
  networks: NetworkDef[];
  nodes: NodeDef[];
  experiment?: ExperimentDef;
  /** Defaults of the values steps use as ${params.NAME}. */
  params: Record<string, ParamValue>;
  dns: DnsDef;
}

export interface PlannedInterface {
  network: string;
  address: string;
  prefix: number;
  /** What this interface gets: the network's values overridden key by key by the attachment's. */
  impairment: LinkImpairment;
}

export interface Route {
  /** Destination subnet in CIDR form. */
  destination: string;
  /** Next-hop address, on a network the node is attached to. */
  via: string;
}

export interface PlannedNetwork {
  name: string;
  subnet: string;
  /** Address Docker gives the host side of the bridge; never assigned to a node. */
  gateway: string;
}

export interface PlannedNode {
  name: string;
  role: string;
  /** Whether this node forwards packets between its networks (routers). */
  forwards: boolean;
  interfaces: PlannedInterface[];
  routes: Route[];
  /** For DNS roles, the computed zones or root hints (orchestrator/dns/plan.ts); else the node's own config. */
  config: Record<string, unknown>;
  /** Address of the lab resolver its /etc/resolv.conf names; none: names resolve from /etc/hosts only. */
  resolver?: string;
}

/** Everything deploy needs, decided up front and free of side effects. */
export interface LabPlan {
  lab: string;
  networks: PlannedNetwork[];
  nodes: PlannedNode[];
  /** name -> address entries every container gets in /etc/hosts. */
  hosts: { name: string; address: string }[];
}
