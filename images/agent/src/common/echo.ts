import dgram from 'node:dgram';
import net from 'node:net';
import { log } from './records.js';

/** UDP and TCP echo (RFC 862) on one port: the far end of the `probe` workload. */
export const ECHO_PORT = 7;

export async function startEcho(port = ECHO_PORT): Promise<() => void> {
  // Room for bursts: a fast sender's datagrams arrive faster than one event-loop turn drains them.
  const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, resolve);
  });
  const tcp = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, resolve);
  });
  log(`echo listening on udp/tcp ${port}`);
  return () => {
    udp.close();
    tcp.close();
  };
}
