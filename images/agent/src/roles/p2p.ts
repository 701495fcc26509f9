import { startEcho } from '../common/echo.js';
import type { AgentNodeConfig } from '../common/node-config.js';
import { log } from '../common/records.js';
import { readHosts } from '../dht/hosts.js';
import { CONTROL_PORT, parseFileNodeConfig, parseTrackerConfig } from '../p2p/config.js';
import { serveJsonControl } from '../p2p/control-http.js';
import { serveFile } from '../p2p/file-transfer.js';
import { P2pNode } from '../p2p/node.js';
import { serveTracker } from '../p2p/tracker-server.js';
import type { AgentRole } from './role.js';

// File distribution (the lecture's client-server vs P2P): `file-server` serves its file over TCP
// and seeds it in P2P runs; `bt-peer` downloads it from the swarm (or, in client-server runs,
// from the server over TCP); `file-client` only does the latter; `bt-tracker` is the swarm's
// HTTP tracker. Their config is checked here (p2p/config.ts); the .torrent comes planned.
// Each answers `reset` / `start` / `status` on HTTP port 6880 (the distribution workload drives
// them) and the same ops on the local control socket (`emunet exec … agent` debugging).

let current: { control(r: Record<string, unknown>): Promise<unknown> } | undefined;

/** address -> node name, from /etc/hosts (names with a dot are NODE.NETWORK aliases). */
function namesByAddress(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, address] of readHosts()) if (!name.includes('.') && name !== 'localhost' && !out.has(address)) out.set(address, name);
  return out;
}

function fileRole(name: 'file-server' | 'file-client' | 'bt-peer'): AgentRole {
  return {
    name,
    async start(node: AgentNodeConfig) {
      const started = Date.now();
      const settings = parseFileNodeConfig(name, node.config);
      log(`${name}: starting (${settings.meta.name}, ${settings.meta.length} bytes, ${settings.meta.pieces.length} pieces of ${settings.meta.pieceLength})…`);
      const hosts = readHosts();
      const names = namesByAddress();
      const p2p = new P2pNode(settings, {
        node: node.node,
        role: name,
        selfAddress: node.interfaces[0]?.address ?? '0.0.0.0',
        nameOf: (a) => names.get(a),
        addressOf: (n) => {
          const a = hosts.get(n);
          if (!a) throw new Error(`node "${n}" is not in /etc/hosts`);
          return a;
        },
        log,
      });
      const closers: (() => void)[] = [await startEcho()];
      if (name === 'file-server') {
        const server = await serveFile(settings.meta, settings.contentSeed, 7070, log);
        closers.push(() => server.close());
      }
      const control = await serveJsonControl(CONTROL_PORT, (r) => p2p.control(r));
      closers.push(() => control.close());
      current = p2p;
      log(`${name}: ready in ${Date.now() - started} ms (control on port ${CONTROL_PORT})`);
      return () => {
        void p2p.reset();
        closers.forEach((c) => c());
      };
    },
    control: (request) => {
      if (!current) throw new Error(`the ${name} has not started yet`);
      return current.control(request);
    },
  };
}

export const fileServer = fileRole('file-server');
export const fileClient = fileRole('file-client');
export const btPeer = fileRole('bt-peer');

export const btTracker: AgentRole = {
  name: 'bt-tracker',
  async start(node) {
    const settings = parseTrackerConfig(node.config);
    log(`bt-tracker: starting for ${settings.torrents.length} torrent(s), interval ${settings.interval} s…`);
    const tracker = await serveTracker(settings, log);
    const control = await serveJsonControl(CONTROL_PORT, (r) => tracker.control(r));
    current = tracker;
    log(`bt-tracker: serving on port ${tracker.port}`);
    return () => {
      tracker.close();
      control.close();
    };
  },
  control: (request) => {
    if (!current) throw new Error('the bt-tracker has not started yet');
    return current.control(request);
  },
};
