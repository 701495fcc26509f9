// DNS over UDP and TCP on one port (RFC 1035 §4.2, RFC 7766): every UDP datagram is a message;
// on TCP each message has a 2-byte length prefix, and a connection carries any number of
// queries, answered as each completes. The handler decides the bytes; this file only moves them.
import dgram from 'node:dgram';
import net from 'node:net';

export type DnsHandler = (raw: Buffer, meta: { client: string; port?: number; tcp: boolean }) => Promise<Buffer | undefined>;

export interface Listener {
  /** The port both UDP and TCP listen on (the chosen one when 0 was asked for). */
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  port: number;
  /** '0.0.0.0' in a lab; tests use '127.0.0.1'. */
  address: string;
  log(line: string): void;
}

/** RFC 7766 §6.2.3: servers may close idle connections; a few seconds keeps clients' pipelines alive. */
const TCP_IDLE_MS = 10_000;
/** Tries to find a port free for both UDP and TCP when an ephemeral one is asked for. */
const PORT_TRIES = 10;

export async function listen(handler: DnsHandler, options: ListenOptions): Promise<Listener> {
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(handler, options);
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(handler, { ...options, port });
      return { port, close: () => Promise.all([closeUdp(udp), tcp.close()]).then(() => undefined) };
    } catch (e) {
      await closeUdp(udp);
      if (options.port !== 0 || attempt >= PORT_TRIES) throw e;
    }
  }
}

function bindUdp(handler: DnsHandler, options: ListenOptions): Promise<dgram.Socket> {
  const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  udp.on('message', (msg, rinfo) => {
    handler(msg, { client: rinfo.address, port: rinfo.port, tcp: false }).then(
      (reply) => reply && udp.send(reply, rinfo.port, rinfo.address),
      (e: unknown) => options.log(`dns: udp query from ${rinfo.address} failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  });
  return new Promise((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options.port, options.address, () => {
      udp.off('error', reject);
      udp.on('error', (e) => options.log(`dns: udp socket error: ${e.message}`));
      resolve(udp);
    });
  });
}

function closeUdp(udp: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      udp.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

function listenTcp(handler: DnsHandler, options: ListenOptions): Promise<{ close(): Promise<void> }> {
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(TCP_IDLE_MS, () => socket.end());
    const client = socket.remoteAddress ?? '?';
    let pending = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        handler(Buffer.from(message), { client, tcp: true }).then(
          (reply) => {
            if (!reply || socket.destroyed) return;
            const prefix = Buffer.alloc(2);
            prefix.writeUInt16BE(reply.length);
            socket.write(Buffer.concat([prefix, reply]));
          },
          (e: unknown) => options.log(`dns: tcp query from ${client} failed: ${e instanceof Error ? e.message : String(e)}`),
        );
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.address, () => {
      server.off('error', reject);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const s of open) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
