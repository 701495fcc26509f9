// The tracker over HTTP (port 6969): GET /announce, GET /scrape, and GET /NAME.torrent (the
// planned metainfo, so a third-party client needs only this URL). Control: `reset` forgets every
// peer (runs reuse one swarm), `status` returns the swarm sizes.
import http from 'node:http';
import { mulberry32 } from '../common/random.js';
import type { TrackerSettings } from './config.js';
import { Tracker } from './tracker.js';

export const TRACKER_PORT = 6969;

export interface RunningTracker {
  port: number;
  control(request: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

export async function serveTracker(s: TrackerSettings, log: (l: string) => void): Promise<RunningTracker> {
  const tracker = new Tracker({ interval: s.interval, known: new Set(s.torrents.map((t) => t.meta.infoHash.toString('hex'))), now: Date.now, random: mulberry32(0x7eac) });
  const files = new Map(s.torrents.map((t) => [`/${t.meta.name}.torrent`, t.bytes]));
  // Who announced what, in order (`status`): how a test sees a third-party client in the swarm.
  let announces: { from: string; event: string }[] = [];
  const server = http.createServer((req, res) => {
    const [path = '', query = ''] = (req.url ?? '').split('?', 2);
    const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const send = (status: number, type: string, body: Buffer) => {
      res.writeHead(status, { 'content-type': type, 'content-length': body.length });
      res.end(body);
    };
    if (path === '/announce') {
      const body = tracker.announce(query, remote);
      const event = /(?:^|&)event=(\w+)/.exec(query)?.[1] ?? 'update';
      if (announces.length < 10_000) announces.push({ from: remote, event });
      log(`announce from ${remote}: ${event}`);
      return send(200, 'text/plain', body);
    }
    if (path === '/scrape') return send(200, 'text/plain', tracker.scrape(query));
    const torrent = files.get(path);
    if (torrent) return send(200, 'application/x-bittorrent', torrent);
    send(404, 'text/plain', Buffer.from(`not found; this tracker serves /announce, /scrape and [${[...files.keys()].join(', ')}]\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(TRACKER_PORT, '0.0.0.0', () => resolve());
  });
  return {
    port: TRACKER_PORT,
    async control(request) {
      if (request.op === 'reset') {
        tracker.reset();
        announces = [];
        return { reset: true };
      }
      if (request.op === 'status') return { announces };
      throw new Error(`unknown control request ${JSON.stringify(request.op)} for role bt-tracker; known: [reset, status]`);
    },
    close: () => server.close(),
  };
}
