// What a `dht-node` finds in node.config, and the ring-wide settings a dht-setup step may
// override. Validated at start-up (unknown keys, types, ranges), so a typo fails with its path
// instead of as a ring that never forms.
import { MAX_BITS, ringSize } from './ids.js';

export type RoutingMode = 'ring' | 'shortcuts';

/** Settings every member of one ring must share: a joining node adopts them from the ring. */
export interface RingParams {
  /** Identifier bits: ids and keys are in [0, 2^m − 1]. */
  m: number;
  /** `ring`: forward to the successor only (N/2 hops); `shortcuts`: Chord's finger table (½·log2 N). */
  mode: RoutingMode;
  /** How many successors each node keeps (the lecture's two, to survive churn). */
  successors: number;
  /** How many of those successors hold a copy of each key the node owns. */
  replicas: number;
  /** Periods in ms: ping successors and predecessor; stabilize (Chord); repair fingers. */
  periods: { ping: number; stabilize: number; fingers: number };
  /** A peer that does not answer in this many ms is taken for dead. */
  timeout: number;
}

export interface DhtNodeConfig {
  /** Fixed identifier; default SHA-1 of the node name truncated to m bits. */
  id?: number;
  /** Nodes (names, `name:port` or addresses) to join through at start, tried in order. */
  bootstrap: string[];
  /** Start a new ring when no bootstrap node is a member (one node of a static lab does). */
  create: boolean;
  /** UDP port of the DHT protocol. */
  port: number;
  params: RingParams;
}

export const DHT_PORT = 4000;

export const DEFAULT_PARAMS: RingParams = {
  m: 16,
  mode: 'shortcuts',
  successors: 2,
  replicas: 2,
  periods: { ping: 500, stabilize: 500, fingers: 1000 },
  timeout: 500,
};

export class DhtConfigError extends Error {}

type Raw = Record<string, unknown>;

const NODE_KEYS = ['id', 'bootstrap', 'create', 'port', 'm', 'mode', 'successors', 'replicas', 'periods', 'timeout'];
const PARAM_KEYS = ['m', 'mode', 'successors', 'replicas', 'periods', 'timeout'];
const PERIOD_KEYS = ['ping', 'stabilize', 'fingers'];

function unknownKeys(raw: Raw, known: string[], where: string): void {
  const extra = Object.keys(raw).filter((k) => !known.includes(k));
  if (extra.length > 0) throw new DhtConfigError(`${where}: unknown key(s) ${extra.map((k) => `"${k}"`).join(', ')}; known keys are [${known.join(', ')}]`);
}

function whole(raw: Raw, key: string, where: string, min: number, max: number): number | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new DhtConfigError(`${where}.${key}: expected a whole number from ${min} to ${max}, found ${JSON.stringify(v)}`);
  }
  return n;
}

function object(v: unknown, where: string): Raw {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DhtConfigError(`${where}: expected an object, found ${JSON.stringify(v)}`);
  return v as Raw;
}

/** `mode: ring|shortcuts`, or `shortcuts: 0|1|true|false` (a number, so `expect:` formulas can use it). */
function modeOf(raw: Raw, where: string): RoutingMode | undefined {
  if (raw.mode !== undefined && raw.shortcuts !== undefined) throw new DhtConfigError(`${where}: give "mode" or "shortcuts", not both`);
  if (raw.mode !== undefined) {
    if (raw.mode !== 'ring' && raw.mode !== 'shortcuts') throw new DhtConfigError(`${where}.mode: expected "ring" or "shortcuts", found ${JSON.stringify(raw.mode)}`);
    return raw.mode;
  }
  const s = raw.shortcuts;
  if (s === undefined) return undefined;
  if (s === 1 || s === true || s === '1' || s === 'true') return 'shortcuts';
  if (s === 0 || s === false || s === '0' || s === 'false') return 'ring';
  throw new DhtConfigError(`${where}.shortcuts: expected 0 or 1 (or true/false), found ${JSON.stringify(s)}`);
}

/** Ring settings in `raw` (the keys it has) over `base`. Replicas follow `successors` unless set lower. */
export function parseParams(raw: Raw, base: RingParams, where: string): RingParams {
  const m = whole(raw, 'm', where, 1, MAX_BITS) ?? base.m;
  const successors = whole(raw, 'successors', where, 1, 16) ?? base.successors;
  const replicas = whole(raw, 'replicas', where, 0, successors) ?? (base.replicas >= base.successors ? successors : Math.min(base.replicas, successors));
  const periods = { ...base.periods };
  if (raw.periods !== undefined) {
    const p = object(raw.periods, `${where}.periods`);
    unknownKeys(p, PERIOD_KEYS, `${where}.periods`);
    for (const k of PERIOD_KEYS as (keyof RingParams['periods'])[]) periods[k] = whole(p, k, `${where}.periods`, 10, 600_000) ?? periods[k];
  }
  return { m, mode: modeOf(raw, where) ?? base.mode, successors, replicas, periods, timeout: whole(raw, 'timeout', where, 10, 60_000) ?? base.timeout };
}

/** node.config of a `dht-node`. */
export function parseNodeConfig(value: unknown): DhtNodeConfig {
  const where = 'node.config';
  const raw = object(value ?? {}, where);
  unknownKeys(raw, NODE_KEYS, where);
  const params = parseParams(raw, DEFAULT_PARAMS, where);
  const id = whole(raw, 'id', where, 0, ringSize(params.m) - 1);
  const b = raw.bootstrap;
  const bootstrap = b === undefined ? [] : typeof b === 'string' ? [b] : b;
  if (!Array.isArray(bootstrap) || !bootstrap.every((x) => typeof x === 'string' && x !== '')) {
    throw new DhtConfigError(`${where}.bootstrap: expected a node name (or address) or a list of them, found ${JSON.stringify(b)}`);
  }
  if (raw.create !== undefined && typeof raw.create !== 'boolean') throw new DhtConfigError(`${where}.create: expected true or false, found ${JSON.stringify(raw.create)}`);
  return { ...(id === undefined ? {} : { id }), bootstrap: bootstrap as string[], create: raw.create === true, port: whole(raw, 'port', where, 1, 65535) ?? DHT_PORT, params };
}

/** Ring settings given to dht-setup (its args may hold other keys too). */
export function paramsFromArgs(args: Raw, base: RingParams = DEFAULT_PARAMS): RingParams {
  const picked = Object.fromEntries(Object.entries(args).filter(([k]) => PARAM_KEYS.includes(k) || k === 'shortcuts'));
  return parseParams(picked, base, 'args');
}
