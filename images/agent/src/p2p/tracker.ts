// An HTTP tracker's logic (BEP 3 announce, BEP 23 compact peer lists, scrape), apart from the
// HTTP server so responses are tested as bytes. It keeps, per swarm (info hash), the peers that
// announced, forgets those that have not announced for two intervals, and answers each
// announce with up to `numwant` others, chosen at random.
import { bencode, type BInput } from '../../../../orchestrator/p2p/bencode.js';

export interface TrackerOptions {
  /** Seconds between a peer's announces (the response's `interval`). */
  interval: number;
  /** Swarms it serves (hex info hashes); empty: any. */
  known: Set<string>;
  now: () => number;
  random: () => number;
}

interface PeerEntry { peerId: Buffer; ip: string; port: number; left: number; seen: number }
interface Swarm { peers: Map<string, PeerEntry>; downloaded: number }

/** A query string with binary values (info_hash, peer_id are raw bytes, %-escaped): name -> bytes. */
export function parseQuery(query: string): Map<string, Buffer[]> {
  const out = new Map<string, Buffer[]>();
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = unescapeBytes(eq < 0 ? part : part.slice(0, eq)).toString('latin1');
    out.set(name, [...(out.get(name) ?? []), unescapeBytes(eq < 0 ? '' : part.slice(eq + 1))]);
  }
  return out;
}

function unescapeBytes(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c === '+' ? 0x20 : c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}

const failure = (reason: string) => bencode({ 'failure reason': reason });

export class Tracker {
  private swarms = new Map<string, Swarm>();

  constructor(private readonly o: TrackerOptions) {}

  /** Forgets every peer (between experiment runs, which reuse the same swarm). */
  reset(): void {
    this.swarms.clear();
  }

  private swarm(hash: string): Swarm {
    let s = this.swarms.get(hash);
    if (!s) this.swarms.set(hash, (s = { peers: new Map(), downloaded: 0 }));
    const expiry = this.o.now() - 2 * this.o.interval * 1000;
    for (const [k, p] of s.peers) if (p.seen < expiry) s.peers.delete(k);
    return s;
  }

  /** The bencoded answer to GET /announce?QUERY from `remote` (the connection's address). */
  announce(query: string, remote: string): Buffer {
    const q = parseQuery(query);
    const one = (k: string) => q.get(k)?.[0];
    const infoHash = one('info_hash');
    const peerId = one('peer_id');
    const port = Number(one('port')?.toString());
    if (!infoHash || infoHash.length !== 20) return failure('info_hash (20 bytes) is required');
    if (!peerId || peerId.length !== 20) return failure('peer_id (20 bytes) is required');
    if (!Number.isInteger(port) || port < 1 || port > 65535) return failure('port is required (1-65535)');
    const hash = infoHash.toString('hex');
    if (this.o.known.size > 0 && !this.o.known.has(hash)) return failure(`unknown torrent ${hash}`);
    const swarm = this.swarm(hash);
    const event = one('event')?.toString() ?? '';
    const key = peerId.toString('hex');
    const left = Number(one('left')?.toString() ?? 0);
    if (event === 'stopped') swarm.peers.delete(key);
    else {
      if (event === 'completed' && swarm.peers.get(key)?.left !== 0) swarm.downloaded++;
      swarm.peers.set(key, { peerId, ip: one('ip')?.toString() || remote, port, left: Number.isFinite(left) ? left : 0, seen: this.o.now() });
    }
    const numwant = Math.min(Number(one('numwant')?.toString() ?? 50) || 50, 200);
    const others = [...swarm.peers.values()].filter((p) => p.peerId.toString('hex') !== key);
    for (let i = others.length - 1; i > 0; i--) {
      const j = Math.floor(this.o.random() * (i + 1));
      [others[i], others[j]] = [others[j]!, others[i]!];
    }
    const chosen = others.slice(0, numwant);
    const complete = [...swarm.peers.values()].filter((p) => p.left === 0).length;
    const compact = one('compact')?.toString() !== '0';
    const peers: BInput = compact
      ? Buffer.concat(chosen.map(compactPeer))
      : chosen.map((p) => ({ 'peer id': p.peerId, ip: p.ip, port: p.port }));
    return bencode({ interval: this.o.interval, 'min interval': Math.max(1, Math.floor(this.o.interval / 2)), complete, incomplete: swarm.peers.size - complete, peers });
  }

  /** GET /scrape[?info_hash=…]: per swarm, seeders (complete), leechers (incomplete), completions (downloaded). */
  scrape(query: string): Buffer {
    const asked = parseQuery(query).get('info_hash');
    const hashes = asked ? asked.map((h) => h.toString('hex')) : [...this.swarms.keys()];
    const files: Record<string, BInput> = {};
    for (const hash of hashes) {
      const s = this.swarm(hash);
      const complete = [...s.peers.values()].filter((p) => p.left === 0).length;
      files[Buffer.from(hash, 'hex').toString('latin1')] = { complete, downloaded: s.downloaded, incomplete: s.peers.size - complete };
    }
    return bencode({ files });
  }
}

/** BEP 23: 4 bytes of IPv4 address, 2 of port, network order. */
export function compactPeer(p: { ip: string; port: number }): Buffer {
  const b = Buffer.alloc(6);
  p.ip.split('.').forEach((octet, i) => (b[i] = Number(octet)));
  b.writeUInt16BE(p.port, 4);
  return b;
}

export function parseCompactPeers(bytes: Buffer): { ip: string; port: number }[] {
  const out: { ip: string; port: number }[] = [];
  for (let i = 0; i + 6 <= bytes.length; i += 6) out.push({ ip: [...bytes.subarray(i, i + 4)].join('.'), port: bytes.readUInt16BE(i + 4) });
  return out;
}
