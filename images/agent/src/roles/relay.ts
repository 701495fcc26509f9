import dgram from 'node:dgram';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { parseRelayConfig } from '../nat/config.js';
import { TurnServer, type RelaySocket } from '../nat/turn-server.js';
import type { Address } from '../nat/stun.js';
import type { AgentRole } from './role.js';

// The relay: a TURN subset (RFC 8656) on UDP (images/agent/src/nat/turn-server.ts), so peers that
// cannot reach each other through their NATs each connect out to it and their media flows through
// it; coturn's turnutils_uclient allocates on it. config: port (3478), lifetime (s, 600).
// Control: `relay-stats` (allocations, bytes and packets each way), `relay-flush` (back to zero).

let server: TurnServer | undefined;

export const relayRole: AgentRole = {
  name: 'relay',
  async start(node) {
    const started = Date.now();
    const settings = parseRelayConfig(node);
    const relayAddress = node.interfaces[0]!.address;
    log(`relay: starting TURN on udp ${settings.port}, relaying from ${relayAddress}…`);
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    const send = (data: Buffer, to: Address) => socket.send(data, to.port, to.address);
    const running = new TurnServer({ send, openRelay, now: Date.now, relayAddress, lifetimeMs: settings.lifetime * 1000 });
    socket.on('message', (data, rinfo) => {
      running.handle(data, { address: rinfo.address, port: rinfo.port }).catch((e: unknown) => log(`relay: ${e instanceof Error ? e.message : String(e)}`));
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(settings.port, resolve);
    });
    server = running;
    const stopEcho = await startEcho();
    log(`relay: serving in ${Date.now() - started} ms`);
    return () => {
      running.close();
      socket.close();
      stopEcho();
    };
  },
  async control(request) {
    if (request.op !== 'relay-stats' && request.op !== 'relay-flush') throw new Error(`unknown control request ${JSON.stringify(request.op)} for role relay; known: [status, impair, relay-stats, relay-flush]`);
    if (!server) throw new Error('the relay has not started yet');
    if (request.op === 'relay-flush') for (const key of Object.keys(server.counters) as (keyof TurnServer['counters'])[]) server.counters[key] = 0;
    return { active: server.active, counters: { ...server.counters } };
  },
};

/** A relayed transport address: a UDP socket on an ephemeral port of the relay (an even one when asked: RTP). */
async function openRelay(onPeerData: (data: Buffer, from: Address) => void, options: { evenPort: boolean }): Promise<RelaySocket> {
  let socket: dgram.Socket;
  for (let tries = 0; ; tries++) {
    socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
    const bound = socket;
    await new Promise<void>((resolve, reject) => {
      bound.once('error', reject);
      bound.bind(0, resolve);
    });
    if (!options.evenPort || socket.address().port % 2 === 0) break;
    socket.close();
    if (tries === 50) throw new Error('relay: no even port found in 50 tries');
  }
  socket.on('message', (data, rinfo) => onPeerData(data, { address: rinfo.address, port: rinfo.port }));
  return { port: socket.address().port, send: (data, to) => socket.send(data, to.port, to.address), close: () => socket.close() };
}
