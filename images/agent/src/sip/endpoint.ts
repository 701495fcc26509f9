// The transport and transaction layers over one UDP socket (RFC 3261 §17, §18): incoming
// requests get a server transaction (or go to the core, for an ACK that matches none), incoming
// responses go to their client transaction (or to the core as strays), and responses are sent
// where the top Via says.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { ClientInviteTransaction, ClientNonInviteTransaction, type ClientTransaction, type ClientTransactionUser } from './client-transaction.js';
import type { Clock, TimerValues } from './clock.js';
import { describe, parseMessage, serializeMessage, type SipMessage, type SipRequest, type SipResponse } from './message.js';
import { ServerInviteTransaction, ServerNonInviteTransaction, type ServerTransaction } from './server-transaction.js';
import { formatVia, parseCSeq, parseVia } from './uri.js';

export interface Target { host: string; port?: number }
export interface Source { address: string; port: number }

export interface EndpointOptions {
  /** Where to bind: '0.0.0.0' in a lab, '127.0.0.1' in tests. */
  bind: string;
  /** 5060 in a lab, 0 (any) in tests. */
  port: number;
  /** The address this endpoint puts in Via, Contact and Record-Route: the node's lab address. */
  advertise: string;
  clock: Clock;
  timers: TimerValues;
  log(line: string): void;
  /** INVITE server transactions answer 100 Trying by themselves (a proxy). */
  autoTrying?: boolean;
}

export type RequestHandler = (request: SipRequest, tx: ServerTransaction | undefined, source: Source) => void;

/** Branches start with RFC 3261's magic cookie, so peers can match transactions by them. */
export const newBranch = (): string => `z9hG4bK${randomBytes(8).toString('hex')}`;
export const newTag = (): string => randomBytes(5).toString('hex');

export class SipEndpoint {
  onRequest: RequestHandler = () => undefined;
  onStrayResponse: (response: SipResponse) => void = () => undefined;
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly resolved = new Map<string, string>();

  private constructor(private readonly socket: dgram.Socket, readonly host: string, readonly port: number, private readonly o: EndpointOptions) {
    socket.on('message', (data, rinfo) => {
      // A handler that throws must cost one message, not the daemon (this is a socket callback).
      try {
        this.receive(data, { address: rinfo.address, port: rinfo.port });
      } catch (e) {
        o.log(`sip: error handling a message from ${rinfo.address}:${rinfo.port}: ${(e as Error).message}`);
      }
    });
    socket.on('error', (e) => o.log(`sip: socket error: ${e.message}`));
  }

  static open(o: EndpointOptions): Promise<SipEndpoint> {
    const socket = dgram.createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', (e) => reject(new Error(`cannot bind SIP on udp ${o.bind}:${o.port}: ${e.message}`)));
      socket.bind(o.port, o.bind, () => resolve(new SipEndpoint(socket, o.advertise, socket.address().port, o)));
    });
  }

  /** A top Via for a request this endpoint sends, asking for rport (RFC 3581). */
  via(branch: string): string {
    return formatVia({ transport: 'UDP', host: this.host, port: this.port, params: { branch, rport: null } });
  }

  /** Sends a request in a new client transaction; its top Via must carry a fresh branch. */
  async request(request: SipRequest, to: Target, tu: ClientTransactionUser): Promise<ClientTransaction> {
    const destination = await this.resolve(to);
    const key = clientKey(request);
    const options = {
      send: (r: SipRequest) => this.transmit(r, destination),
      clock: this.o.clock,
      timers: this.o.timers,
      terminated: () => this.clients.delete(key),
    };
    const tx = request.method === 'INVITE' ? new ClientInviteTransaction(request, tu, options) : new ClientNonInviteTransaction(request, tu, options);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /** Sends without a transaction: ACKs for 2xx, and what a proxy forwards statelessly. */
  async sendStateless(message: SipMessage, to: Target): Promise<void> {
    this.transmit(message, await this.resolve(to));
  }

  /** Sends a response where its top Via says (§18.2.2): `received` and `rport` win over sent-by. */
  sendResponse(response: SipResponse): void {
    const top = response.headers.get('Via');
    if (top === undefined) return this.o.log(`sip: dropping ${describe(response)}: no Via to send it to`);
    const via = parseVia(top);
    const address = via.params.received ?? via.host;
    const rport = via.params.rport;
    const port = rport !== undefined && rport !== null && /^\d+$/.test(rport) ? Number(rport) : via.port ?? 5060;
    this.transmit(response, { address, port });
  }

  /** The INVITE server transaction a CANCEL is for (§9.2: same branch and sent-by, method INVITE). */
  inviteFor(cancel: SipRequest): ServerInviteTransaction | undefined {
    const tx = this.servers.get(serverKey(cancel, 'INVITE'));
    return tx instanceof ServerInviteTransaction ? tx : undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  async resolve(to: Target): Promise<Source> {
    const port = to.port ?? 5060;
    if (net.isIPv4(to.host)) return { address: to.host, port };
    let address = this.resolved.get(to.host);
    if (address === undefined) {
      // Node names resolve through the lab's /etc/hosts (getaddrinfo), never outside the lab.
      address = (await lookup(to.host, { family: 4 }).catch((e: Error) => {
        throw new Error(`cannot resolve SIP host "${to.host}": ${e.message}`);
      })).address;
      this.resolved.set(to.host, address);
    }
    return { address, port };
  }

  private transmit(message: SipMessage, to: Source): void {
    this.o.log(`sip: -> ${to.address}:${to.port} ${describe(message)}`);
    this.socket.send(serializeMessage(message), to.port, to.address);
  }

  private receive(data: Buffer, source: Source): void {
    if (data.toString('latin1').trim() === '') return; // keep-alive
    let message: SipMessage;
    try {
      message = parseMessage(data);
      if (message.headers.get('Via') === undefined || message.headers.get('CSeq') === undefined || message.headers.get('Call-ID') === undefined) {
        throw new Error('Via, CSeq and Call-ID are required');
      }
      parseCSeq(message.headers.get('CSeq')!);
    } catch (e) {
      this.o.log(`sip: dropping a malformed message from ${source.address}:${source.port}: ${(e as Error).message}`);
      return;
    }
    this.o.log(`sip: <- ${source.address}:${source.port} ${describe(message)}`);
    if (message.kind === 'response') {
      const tx = this.clients.get(clientKey(message));
      if (tx) tx.receive(message);
      else this.onStrayResponse(message);
      return;
    }
    markSource(message, source);
    const key = serverKey(message, message.method === 'ACK' ? 'INVITE' : message.method);
    const existing = this.servers.get(key);
    if (existing) return existing.receive(message);
    if (message.method === 'ACK') return this.onRequest(message, undefined, source);
    const options = {
      send: (r: SipResponse) => this.sendResponse(r),
      clock: this.o.clock,
      timers: this.o.timers,
      terminated: () => this.servers.delete(key),
      autoTrying: this.o.autoTrying ?? false,
    };
    const tx = message.method === 'INVITE' ? new ServerInviteTransaction(message, options) : new ServerNonInviteTransaction(message, options);
    this.servers.set(key, tx);
    this.onRequest(message, tx, source);
  }
}

/** §18.2.1: note where a request really came from, so its responses find the way back (and RFC 3581 rport). */
function markSource(request: SipRequest, source: Source): void {
  const via = parseVia(request.headers.get('Via')!);
  if (via.host !== source.address) via.params.received = source.address;
  if ('rport' in via.params) via.params.rport = String(source.port);
  request.headers.list[request.headers.list.findIndex((h) => h.name === 'Via')]!.value = formatVia(via);
}

function branchOf(m: SipMessage): string {
  return parseVia(m.headers.get('Via')!).params.branch ?? '';
}

function clientKey(m: SipMessage): string {
  return `${branchOf(m)}|${parseCSeq(m.headers.get('CSeq')!).method}`;
}

function serverKey(m: SipRequest, method: string): string {
  const via = parseVia(m.headers.get('Via')!);
  return `${via.params.branch ?? ''}|${via.host}:${via.port ?? 5060}|${method}`;
}
