// Sending one DNS query over a socket and waiting for its response: over UDP from a fresh socket
// on a random source port (so an off-path attacker must guess port and ID, RFC 5452), or over
// TCP with the 2-byte length prefix. A datagram from another address or port, one that does not
// decode, or one whose ID or question does not match is ignored; the wait goes on until the
// timeout. This is the resolver's real transport and the stub the dns-lookup workload uses.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet, Question } from 'dns-packet';
import { FLAG, makeOpt, type EdnsOption } from './message.js';
import { DnsTimeoutError, matchesQuery, type Transport, type TransportOptions } from './upstream.js';

export interface Endpoint { address: string; port: number }

export interface ExchangeOptions extends TransportOptions {
  /** EDNS0 options to send (an OPT with payload size 1232 is always sent). */
  ednsOptions?: EdnsOption[];
  /** Picks the UDP source port; the kernel's choice when absent. */
  random?: () => number;
}

export function buildQuery(question: Question, o: ExchangeOptions): Buffer {
  const packet: Packet = {
    type: 'query',
    id: o.id,
    flags: o.rd ? FLAG.RD : 0,
    questions: [{ ...question, class: question.class ?? 'IN' }],
    additionals: [makeOpt(o.ednsOptions ?? [], 0, o.dnssecOk === true)],
  };
  return dnsPacket.encode(packet);
}

export function exchange(to: Endpoint, question: Question, o: ExchangeOptions): Promise<DecodedPacket> {
  return o.tcp ? exchangeTcp(to, question, o) : exchangeUdp(to, question, o);
}

/** The resolver's transport: every server listens on `port` (53 in a lab). */
export function socketTransport(options: { port: number; random: () => number }): Transport {
  return (server, question, o) => exchange({ address: server.address, port: options.port }, question, { ...o, random: options.random });
}

export function decodeMatching(bytes: Buffer, question: Question, id: number, exactCase = false): DecodedPacket | undefined {
  try {
    const p = dnsPacket.decode(bytes);
    return matchesQuery(id, question, p, exactCase) ? p : undefined;
  } catch {
    return undefined;
  }
}

async function exchangeUdp(to: Endpoint, question: Question, o: ExchangeOptions): Promise<DecodedPacket> {
  const socket = await bindSource(o.random);
  return new Promise<DecodedPacket>((resolve, reject) => {
    let done = false;
    const finish = (error: Error | undefined, response?: DecodedPacket) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (response) resolve(response);
      else reject(error);
    };
    const timer = setTimeout(() => finish(new DnsTimeoutError(`${to.address}:${to.port}`, o.timeoutMs)), o.timeoutMs);
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address !== to.address || rinfo.port !== to.port) return;
      const response = decodeMatching(msg, question, o.id, o.exactCase);
      if (response) finish(undefined, response);
    });
    socket.on('error', (e) => finish(e));
    socket.send(buildQuery(question, o), to.port, to.address, (e) => e && finish(e));
  });
}

/** A UDP socket on a random port from 1024–65535 (a few tries, then the kernel's pick). */
async function bindSource(random?: () => number): Promise<dgram.Socket> {
  for (let attempt = 0; random && attempt < 4; attempt++) {
    const port = 1024 + Math.floor(random() * (65536 - 1024));
    const socket = await tryBind(port);
    if (socket) return socket;
  }
  const socket = await tryBind(0);
  if (!socket) throw new Error('cannot bind a UDP socket for a DNS query');
  return socket;
}

function tryBind(port: number): Promise<dgram.Socket | undefined> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function exchangeTcp(to: Endpoint, question: Question, o: ExchangeOptions): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: to.address, port: to.port });
    let done = false;
    const finish = (error: Error | undefined, response?: DecodedPacket) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (response) resolve(response);
      else reject(error);
    };
    const timer = setTimeout(() => finish(new DnsTimeoutError(`${to.address}:${to.port} (tcp)`, o.timeoutMs)), o.timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      const query = buildQuery(question, o);
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.length);
      socket.write(Buffer.concat([prefix, query]));
    });
    let pending = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const response = decodeMatching(pending.subarray(2, 2 + length), question, o.id, o.exactCase);
        pending = pending.subarray(2 + length);
        if (response) return finish(undefined, response);
      }
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error(`${to.address}:${to.port} closed the TCP connection without an answer`)));
  });
}
