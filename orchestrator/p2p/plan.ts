// The lab's file distribution, planned with the addresses: each `file-server` declares its file
// (`config.file`), the orchestrator builds the .torrent (piece hashes from the generated
// content, announce URL naming the lab's tracker) and hands it to every node that needs it, in
// its config (`metainfo`, base64), beside the content seed — so no file is ever copied into a lab.
import { PlanError } from '../topology/errors.js';
import { buildTorrent, type FileSpec } from './metainfo.js';

export const P2P_ROLES = ['file-server', 'file-client', 'bt-peer', 'bt-tracker'] as const;
export const TRACKER_PORT = 6969;
/** Keys the planner adds to a node's config; the agents' config checks accept them. */
export const PLANNED_KEYS = ['metainfo', 'content-seed'];

interface NodeLike { name: string; role: string; config: Record<string, unknown> }

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `4MiB`, `500kB`, `32KiB` or a number of bytes. */
export function parseBytes(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)$/i.exec(value.trim()) : null;
  const bytes = m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!Number.isInteger(bytes) || bytes <= 0) throw new PlanError(`${what} must be a size like 4MiB, 500kB or a number of bytes; found ${JSON.stringify(value)}`);
  return bytes;
}

/** A file-server's `config.file`, with defaults: piece size 256 KiB (the lecture's chunk), seed 1. */
export function fileSpec(node: NodeLike): FileSpec {
  const file = node.config.file;
  const where = `nodes.${node.name}.config.file`;
  if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new PlanError(`${where}: a file-server needs the file it distributes, e.g. \`file: { size: 4MiB, piece-size: 32KiB }\``);
  const f = file as Record<string, unknown>;
  const unknown = Object.keys(f).filter((k) => !['name', 'size', 'piece-size', 'seed'].includes(k));
  if (unknown.length > 0) throw new PlanError(`${where}: unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')}; known keys are [name, size, piece-size, seed]`);
  const name = f.name ?? `${node.name}.bin`;
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) throw new PlanError(`${where}.name must be a plain file name (letters, digits, . _ -); found ${JSON.stringify(name)}`);
  const seed = f.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new PlanError(`${where}.seed must be an integer; found ${JSON.stringify(seed)}`);
  const pieceLength = parseBytes(f['piece-size'] ?? 256 * 1024, `${where}.piece-size`);
  // Peers ask for 16 KiB blocks (BEP 3's customary request size): a piece is a whole number of them.
  if (pieceLength % 16384 !== 0) throw new PlanError(`${where}.piece-size must be a multiple of 16KiB; found ${pieceLength} bytes`);
  return { name, size: parseBytes(f.size, `${where}.size`), pieceLength, seed };
}

/** The single node of `role`, or the one `config[key]` names: how peers find their server and servers their tracker. */
function counterpart(node: NodeLike, key: string, role: string, nodes: NodeLike[], required: boolean): NodeLike | undefined {
  const named = node.config[key];
  const candidates = nodes.filter((n) => n.role === role);
  if (named !== undefined) {
    const found = candidates.find((n) => n.name === named);
    if (!found) throw new PlanError(`nodes.${node.name}.config.${key}: ${JSON.stringify(named)} is not a ${role} node; expected one of [${candidates.map((n) => n.name).join(', ')}]`);
    return found;
  }
  if (candidates.length === 1) return candidates[0];
  if (!required && candidates.length === 0) return undefined;
  throw new PlanError(`nodes.${node.name}: ${candidates.length === 0 ? `no ${role} node in the lab` : `several ${role} nodes; say which with \`config.${key}\``}`, `e.g. config: { ${key}: ${candidates[0]?.name ?? 'NAME'} }`);
}

/** node name -> its config with the planned keys added, for every P2P node. */
export function planP2p(nodes: NodeLike[]): Map<string, Record<string, unknown>> {
  const configs = new Map<string, Record<string, unknown>>();
  const torrents = new Map<string, { metainfo: string; seed: number; tracker?: string }>();
  for (const server of nodes.filter((n) => n.role === 'file-server')) {
    const spec = fileSpec(server);
    const tracker = counterpart(server, 'tracker', 'bt-tracker', nodes, false);
    // Without a tracker the server only serves clients over TCP; the announce URL is then never used.
    const announce = `http://${tracker?.name ?? server.name}:${TRACKER_PORT}/announce`;
    const planned = { metainfo: buildTorrent(spec, announce).toString('base64'), seed: spec.seed, ...(tracker ? { tracker: tracker.name } : {}) };
    torrents.set(server.name, planned);
    configs.set(server.name, { ...server.config, metainfo: planned.metainfo, 'content-seed': spec.seed });
  }
  for (const node of nodes.filter((n) => n.role === 'file-client' || n.role === 'bt-peer')) {
    const server = counterpart(node, 'server', 'file-server', nodes, true)!;
    const t = torrents.get(server.name)!;
    configs.set(node.name, { ...node.config, server: server.name, metainfo: t.metainfo, 'content-seed': t.seed });
  }
  // A tracker serves the .torrent of every file announced through it (GET /NAME.torrent), so a
  // third-party client needs nothing but the tracker's URL.
  for (const tracker of nodes.filter((n) => n.role === 'bt-tracker')) {
    const served = [...torrents.values()].filter((t) => t.tracker === tracker.name).map((t) => t.metainfo);
    configs.set(tracker.name, { ...tracker.config, metainfo: served });
  }
  return configs;
}
