// The resolver's transport with port randomisation switched off: every UDP query leaves one
// socket bound to a fixed port, and responses are matched to outstanding queries by server
// address and port, ID and question. This is the pre-2008 resolver an off-path spoofer needs
// to guess only the ID of. TCP goes as usual (its handshake cannot be spoofed off-path).
import dgram from 'node:dgram';
import type { DecodedPacket } from 'dns-packet';
import { buildQuery, decodeMatching, exchange } from './client.js';
import { DnsTimeoutError, type Transport } from './upstream.js';

interface Pending { address: string; match(bytes: Buffer): DecodedPacket | undefined; done(response: DecodedPacket): void }

export async function fixedPortTransport(options: { port: number; sourcePort: number }): Promise<{ transport: Transport; close(): void }> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.sourcePort, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const pending = new Set<Pending>();
  socket.on('message', (msg, rinfo) => {
    if (rinfo.port !== options.port) return;
    for (const p of pending) {
      if (p.address !== rinfo.address) continue;
      const response = p.match(msg);
      if (response) return p.done(response);
    }
  });
  socket.on('error', () => undefined); // a send to an unreachable server: that query times out
  const transport: Transport = (server, question, o) => {
    if (o.tcp) return exchange({ address: server.address, port: options.port }, question, o);
    return new Promise((resolve, reject) => {
      const entry: Pending = {
        address: server.address,
        match: (bytes) => decodeMatching(bytes, question, o.id, o.exactCase),
        done: (response) => {
          pending.delete(entry);
          clearTimeout(timer);
          resolve(response);
        },
      };
      const timer = setTimeout(() => {
        pending.delete(entry);
        reject(new DnsTimeoutError(`${server.address}:${options.port}`, o.timeoutMs));
      }, o.timeoutMs);
      pending.add(entry);
      socket.send(buildQuery(question, o), options.port, server.address);
    });
  };
  return { transport, close: () => socket.close() };
}
