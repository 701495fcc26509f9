import type { RoleDescriptor } from './role.js';

// File distribution roles. Their settings are node.config: the file-server's `file` (size,
// piece size, content seed), from which planning builds the .torrent (orchestrator/p2p/plan.ts)
// and hands it to every node of the swarm; the rest is checked by the agent at start-up
// (images/agent/src/p2p/config.ts). Ports: peer wire 6881, tracker 6969, file (TCP) 7070,
// control 6880 (the p2p-distribute workload starts and reads the nodes through it).
const p2pRole = (name: string, summary: string): RoleDescriptor => ({ name, summary, forwards: false, capabilities: ['NET_ADMIN', 'NET_RAW'], sysctls: {} });

export const fileServer = p2pRole('file-server', 'serves a generated file over TCP (client-server baseline) and seeds it over BitTorrent (config: file, tracker)');
export const fileClient = p2pRole('file-client', 'downloads the file-server\'s file over TCP in client-server runs (config: server)');
export const btPeer = p2pRole('bt-peer', 'a BitTorrent peer (BEP 3): rarest first, tit-for-tat choking; also a TCP client in client-server runs (config: after, slots, rechoke, optimistic)');
export const btTracker = p2pRole('bt-tracker', 'an HTTP BitTorrent tracker (announce, compact peers, scrape) that also serves the .torrent files (config: interval)');
