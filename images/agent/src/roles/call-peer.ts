import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { placeCall, type CallOptions } from '../nat/caller.js';
import { parsePeerConfig } from '../nat/config.js';
import { CallPeer } from '../nat/peer.js';
import type { Address } from '../nat/stun.js';
import type { AgentRole } from './role.js';

// A peer of the NAT lab (config: user, directory, relay, port 5000, refresh ms 3000): registers
// with the directory and stays registered, answers calls and echoes media; its `p2p-call`
// workload places calls through it (control `p2p-call`). Like a host it answers echo and bulk,
// so tests can show what its NAT lets through. Control: `p2p-register` (a fresh registration).

let peer: CallPeer | undefined;
let relay: Address | undefined;

export const callPeer: AgentRole = {
  name: 'call-peer',
  async start(node) {
    const started = Date.now();
    const settings = parsePeerConfig(node);
    const resolve = async (host: string, port: number): Promise<Address> => ({ address: (await lookup(host, { family: 4 })).address, port });
    const directory = await resolve(settings.directory, settings.directoryPort);
    relay = settings.relay ? await resolve(settings.relay, settings.relayPort) : undefined;
    log(`call-peer: ${settings.user} on udp ${settings.port}, directory ${directory.address}:${directory.port}${relay ? `, relay ${relay.address}:${relay.port}` : ''}…`);
    const stops = await Promise.all([startEcho(), startBulkServices()]);
    const running = await CallPeer.open(settings.port, settings.user, directory, log);
    const lifetimeS = Math.max(1, Math.ceil((3 * settings.refresh) / 1000));
    // The directory (or this node's NAT) may start after us: readiness waits a while, then
    // registration goes on in the background with the refreshes.
    for (let tries = 0; tries < 5 && !(await running.register(lifetimeS, 1000)); tries++);
    if (!running.publicAddress) log(`call-peer: ${settings.user}: the directory has not answered yet; registering in the background`);
    running.keepRegistered(settings.refresh);
    peer = running;
    log(`call-peer: started in ${Date.now() - started} ms`);
    return () => {
      running.stop();
      stops.forEach((stop) => stop());
    };
  },
  async control(request) {
    if (!peer) throw new Error('the call peer has not started yet');
    if (request.op === 'p2p-register') return { user: peer.user, address: await peer.register(60) };
    if (request.op !== 'p2p-call') throw new Error(`unknown control request ${JSON.stringify(request.op)} for role call-peer; known: [status, impair, p2p-register, p2p-call]`);
    const options = request.options as Omit<CallOptions, 'relay'> & { relay?: Address };
    return placeCall(peer, { ...options, relay: options.relay ?? relay }, () => performance.now());
  },
};
