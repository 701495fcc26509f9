// The DHT's wire protocol: JSON requests and replies over UDP (rpc.ts). Peer-to-peer operations
// (ping, state, notify, step, insert, get, store, transfer, leaving) are what the lecture's ring
// needs; client operations (status, reset, create, join, leave, lookup, put) are how workloads
// and dht-setup drive a node.
import type { RingParams } from './config.js';

/** A peer as others know it: its identifier and where it answers. */
export interface NodeRef {
  id: number;
  name: string;
  host: string;
  port: number;
}

export interface Item {
  key: string;
  id: number;
  value: string;
}

export interface RingState {
  member: boolean;
  self: NodeRef;
  predecessor: NodeRef | null;
  successors: NodeRef[];
  params: RingParams;
}

/** One routing step at a node: the key's owner is this node's successor, or ask `next`. */
export type StepReply = { done: true; owner: NodeRef; successors: NodeRef[] } | { done: false; next: NodeRef };

export interface Status extends RingState {
  /** finger[i] = successor(id + 2^i); empty in ring mode. */
  fingers: (NodeRef | null)[];
  items: number;
  owned: number;
}

export interface LookupResult {
  key: string;
  id: number;
  owner: NodeRef;
  /** Nodes the query was forwarded to before one knew the owner (Chord's path length, the lecture's "messages"). */
  hops: number;
  /** Peers that did not answer on the way (each was skipped), and their names. */
  timeouts: number;
  skipped?: string[];
  ms: number;
  /** Whether a value was found (lookups with `fetch`), at the owner or at `replica`. */
  found?: boolean;
  value?: string;
  replica?: string;
}

/** Every operation: [request body, reply]. */
export interface Protocol {
  ping: [Record<string, never>, { id: number; member: boolean }];
  state: [Record<string, never>, RingState];
  notify: [{ node: NodeRef }, { accepted: boolean }];
  step: [{ key: number; exclude: number[] }, StepReply];
  insert: [{ node: NodeRef }, { ok: true; successors: NodeRef[] } | { ok: false; reason: string }];
  get: [{ key: string }, { found: boolean; value?: string }];
  store: [{ items: Item[]; replicate: boolean }, { stored: number }];
  transfer: [{ from: number; to: number }, { items: Item[] }];
  leaving: [{ node: NodeRef; predecessor: NodeRef | null; successors: NodeRef[] }, Record<string, never>];
  status: [Record<string, never>, Status];
  reset: [{ params?: Record<string, unknown> }, { id: number }];
  create: [Record<string, never>, { self: NodeRef }];
  join: [{ via: string[] }, { self: NodeRef; successor: NodeRef; ms: number }];
  leave: [Record<string, never>, { handedOver: number }];
  lookup: [{ key: string; numeric?: boolean; fetch?: boolean }, LookupResult];
  put: [{ key: string; numeric?: boolean; value: string }, LookupResult];
}

export type Op = keyof Protocol;
export type RequestOf<K extends Op> = Protocol[K][0];
export type ReplyOf<K extends Op> = Protocol[K][1];
export type Request = { [K in Op]: { op: K } & RequestOf<K> }[Op];

export const OPS: readonly Op[] = ['ping', 'state', 'notify', 'step', 'insert', 'get', 'store', 'transfer', 'leaving', 'status', 'reset', 'create', 'join', 'leave', 'lookup', 'put'];

export class ProtocolError extends Error {}

/** Checks a peer reference from the wire: a malformed one fails with what was found. */
export function nodeRef(v: unknown, what: string): NodeRef {
  const r = v as Partial<NodeRef> | null;
  if (!r || typeof r !== 'object' || !Number.isSafeInteger(r.id) || typeof r.name !== 'string' || typeof r.host !== 'string' || !Number.isInteger(r.port)) {
    throw new ProtocolError(`${what}: expected a peer {id, name, host, port}, found ${JSON.stringify(v)}`);
  }
  return { id: r.id!, name: r.name, host: r.host, port: r.port! };
}

export const describeRef = (n: NodeRef | null | undefined): string => (n ? `${n.name}(${n.id})` : '-');

/** The peer did not answer in time (or could not be reached): for the DHT, a dead peer. */
export class PeerUnreachableError extends Error {}

/** The peer answered with an error (e.g. it is not a member of a ring). */
export class PeerError extends Error {}

/** How requests reach other nodes: UDP in a lab (rpc.ts), memory in unit tests. */
export interface Transport {
  call<K extends Op>(to: { host: string; port: number }, op: K, body: RequestOf<K>, timeoutMs: number): Promise<ReplyOf<K>>;
}
