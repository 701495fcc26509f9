// Announcing to an HTTP tracker (BEP 3): a GET with the swarm's info hash and our state; the
// answer lists other peers (compact, BEP 23, or as dictionaries).
import http from 'node:http';
import { bdecode, dictOf, type BValue } from '../../../../orchestrator/p2p/bencode.js';
import { parseCompactPeers } from './tracker.js';

export interface AnnounceRequest {
  infoHash: Buffer;
  peerId: Buffer;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event?: 'started' | 'completed' | 'stopped';
}

export interface AnnounceResponse { interval: number; peers: { ip: string; port: number }[] }

/** Every byte %-escaped except unreserved ones, as trackers expect binary values. */
export const escapeBytes = (b: Buffer) => [...b].map((c) => (/[A-Za-z0-9.\-_~]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : `%${c.toString(16).padStart(2, '0')}`)).join('');

export function announceUrl(announce: string, r: AnnounceRequest): string {
  const params = [
    `info_hash=${escapeBytes(r.infoHash)}`, `peer_id=${escapeBytes(r.peerId)}`, `port=${r.port}`,
    `uploaded=${r.uploaded}`, `downloaded=${r.downloaded}`, `left=${r.left}`, 'compact=1', 'numwant=80',
    ...(r.event ? [`event=${r.event}`] : []),
  ];
  return `${announce}${announce.includes('?') ? '&' : '?'}${params.join('&')}`;
}

export function parseAnnounceResponse(body: Buffer): AnnounceResponse {
  const d = dictOf(bdecode(body), 'the tracker response');
  const reason = d['failure reason'];
  if (Buffer.isBuffer(reason)) throw new Error(`tracker: ${reason.toString()}`);
  const interval = typeof d.interval === 'number' ? d.interval : 60;
  const peers = d.peers;
  if (Buffer.isBuffer(peers)) return { interval, peers: parseCompactPeers(peers) };
  if (Array.isArray(peers)) {
    return {
      interval,
      peers: peers.map((p: BValue) => dictOf(p, 'a peer')).flatMap((p) => (Buffer.isBuffer(p.ip) && typeof p.port === 'number' ? [{ ip: p.ip.toString(), port: p.port }] : [])),
    };
  }
  return { interval, peers: [] };
}

export function announce(url: string, r: AnnounceRequest, timeoutMs = 5000): Promise<AnnounceResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get(announceUrl(url, r), { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(parseAnnounceResponse(Buffer.concat(chunks)));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`tracker ${url} did not answer in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}
