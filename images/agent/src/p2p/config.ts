// What P2P nodes find in `node.config`: the user's settings plus what the orchestrator planned
// (orchestrator/p2p/plan.ts: `metainfo`, `content-seed`, `server`, `tracker`). Checked at agent
// start; a typo stops the deploy with the key's path and the known keys.
import { parseDuration } from '../../../../orchestrator/impairment/units.js';
import { parseTorrent, type Metainfo } from '../../../../orchestrator/p2p/metainfo.js';
import { integer, object, string, HttpConfigError as ConfigError } from '../http/checks.js';

export const PEER_PORT = 6881;
export const FILE_PORT = 7070;
export const CONTROL_PORT = 6880;

export interface PeerSettings {
  /** Tit-for-tat slots (4), the re-ranking period (10 s) and the optimistic rotation (30 s). */
  slots: number;
  rechokeMs: number;
  optimisticMs: number;
  pipeline: number;
  after: 'stay' | 'leave';
  port: number;
}

export interface FileNodeSettings {
  meta: Metainfo;
  contentSeed: number;
  /** The file-server node (clients and peers), when planned. */
  server?: string;
  peer: PeerSettings;
}

export interface TrackerSettings { interval: number; torrents: { meta: Metainfo; bytes: Buffer }[] }

const PEER_KEYS = ['slots', 'rechoke', 'optimistic', 'pipeline', 'after', 'port'];
const KEYS: Record<string, string[]> = {
  'file-server': ['file', 'tracker', ...PEER_KEYS, 'metainfo', 'content-seed'],
  'bt-peer': ['server', ...PEER_KEYS, 'metainfo', 'content-seed'],
  'file-client': ['server', 'metainfo', 'content-seed'],
};

function duration(v: unknown, path: string, fallbackMs: number): number {
  if (v === undefined) return fallbackMs;
  const us = typeof v === 'string' ? parseDuration(v) : typeof v === 'number' && v > 0 ? v * 1000 : undefined;
  if (us === undefined || us <= 0) throw new ConfigError(path, `expected a duration like 10s or 500ms, found ${JSON.stringify(v)}`);
  return us / 1000;
}

function metainfo(v: unknown, path: string): Metainfo {
  try {
    return parseTorrent(Buffer.from(string(v, path), 'base64'));
  } catch (e) {
    throw new ConfigError(path, `the planned metainfo does not parse (${(e as Error).message}); was this node deployed by emunet?`);
  }
}

export function parsePeerSettings(c: Record<string, unknown>, path: string): PeerSettings {
  const after = c.after ?? 'stay';
  if (after !== 'stay' && after !== 'leave') throw new ConfigError(`${path}.after`, `expected stay (altruistic: keep uploading once complete) or leave (selfish), found ${JSON.stringify(after)}`);
  return {
    slots: c.slots === undefined ? 4 : integer(c.slots, `${path}.slots`, 1, 50),
    rechokeMs: duration(c.rechoke, `${path}.rechoke`, 10_000),
    optimisticMs: duration(c.optimistic, `${path}.optimistic`, 30_000),
    pipeline: c.pipeline === undefined ? 2 : integer(c.pipeline, `${path}.pipeline`, 1, 64),
    after,
    port: c.port === undefined ? PEER_PORT : integer(c.port, `${path}.port`, 1, 65535),
  };
}

export function parseFileNodeConfig(role: string, config: unknown): FileNodeSettings {
  const c = object(config, 'node.config', KEYS[role]);
  return {
    meta: metainfo(c.metainfo, 'node.config.metainfo'),
    contentSeed: integer(c['content-seed'], 'node.config.content-seed', -(2 ** 31), 2 ** 32),
    ...(typeof c.server === 'string' ? { server: c.server } : {}),
    peer: parsePeerSettings(c, 'node.config'),
  };
}

export function parseTrackerConfig(config: unknown): TrackerSettings {
  const c = object(config, 'node.config', ['interval', 'metainfo']);
  const list = c.metainfo ?? [];
  if (!Array.isArray(list)) throw new ConfigError('node.config.metainfo', 'expected the planned list of torrents');
  return { interval: Math.max(1, Math.round(duration(c.interval, 'node.config.interval', 10_000) / 1000)), torrents: list.map((m, i) => ({ meta: metainfo(m, `node.config.metainfo[${i}]`), bytes: Buffer.from(String(m), 'base64') })) };
}
