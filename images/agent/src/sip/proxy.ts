// A stateful proxy with its registrar (RFC 3261 §16): REGISTER for its domain goes to the
// location service; other requests are routed by Route (loose routing), then by the
// Request-URI: a user of this domain to where they registered (404 unknown, 480 not
// registered now), another domain to that domain's proxy. INVITEs get 100 Trying, a
// Record-Route and a client transaction; responses go back along the Vias.
import { createHash } from 'node:crypto';
import type { ClientTransaction } from './client-transaction.js';
import type { Clock } from './clock.js';
import { newBranch, type SipEndpoint, type Target } from './endpoint.js';
import { Headers } from './headers.js';
import { describe, responseTo, type SipRequest, type SipResponse } from './message.js';
import { canonicalAor, isLocal, LocationService, register, type RegistrarSettings } from './registrar.js';
import type { ServerTransaction } from './server-transaction.js';
import { parseNameAddr, parseUri, parseVia, type SipUri } from './uri.js';

export interface ProxySettings extends RegistrarSettings {
  /** Other domains' proxies: `biloxi.lab` -> {host: 'proxyb'}. Domains not listed are sent to the Request-URI's host. */
  routes: Record<string, Target>;
  recordRoute: boolean;
}

type Decision = { to: Target; uri: string } | { status: number; reason?: string };

/** A forwarded INVITE: what a CANCEL needs to follow it downstream. */
interface Forwarded { request: SipRequest; to: Target; client?: ClientTransaction; final: boolean; cancel: 'no' | 'pending' | 'sent' }

export class SipProxy {
  readonly location: LocationService;
  private readonly invites = new WeakMap<ServerTransaction, Forwarded>();

  constructor(private readonly endpoint: SipEndpoint, private readonly s: ProxySettings, private readonly clock: Clock, private readonly log: (line: string) => void) {
    this.location = new LocationService(clock);
    endpoint.onRequest = (request, tx) => {
      this.handle(request, tx).catch((e: Error) => {
        this.log(`sip-proxy: ${describe(request)}: ${e.message}`);
        if (tx && !tx.finalResponse) tx.respond(responseTo(request, 500, { reason: 'Proxy Error' }));
      });
    };
    endpoint.onStrayResponse = (response) => this.relayStray(response);
  }

  private async handle(request: SipRequest, tx: ServerTransaction | undefined): Promise<void> {
    const reply = (status: number, reason?: string) => tx?.respond(responseTo(request, status, reason === undefined ? {} : { reason }));
    if (request.method === 'CANCEL') return this.cancel(request, tx);
    const maxForwards = Number(request.headers.get('Max-Forwards') ?? '70');
    if (!(maxForwards > 0)) return reply(483);
    this.popOwnRoutes(request);
    const uri = parseUri(request.uri);
    if (request.method === 'REGISTER' && isLocal(uri, this.s)) {
      const response = register(request, this.location, this.s, this.clock);
      this.log(`sip-proxy: REGISTER ${request.headers.get('To')} -> ${response.status} ${response.reason}`);
      return tx?.respond(response);
    }
    if (request.method === 'OPTIONS' && uri.user === undefined && isLocal(uri, this.s)) return reply(200);
    const decision = this.decide(request, uri);
    if ('status' in decision) {
      this.log(`sip-proxy: ${describe(request)} -> ${decision.status} ${decision.reason ?? ''}`);
      return reply(decision.status, decision.reason);
    }
    await this.forward(request, tx, decision, maxForwards);
  }

  /** Where a request goes next (§16.5 - 16.6). */
  private decide(request: SipRequest, uri: SipUri): Decision {
    const route = request.headers.get('Route');
    if (route !== undefined) {
      const next = parseNameAddr(route).uri;
      return { to: { host: next.host, port: next.port ?? 5060 }, uri: request.uri };
    }
    if (isLocal(uri, this.s)) {
      if (uri.user === undefined) return { status: 404, reason: 'No User In Request-URI' };
      const bindings = this.location.lookup(canonicalAor(uri, this.s));
      const binding = bindings[0];
      if (binding === undefined) {
        const known = this.s.users.includes(uri.user.toLowerCase());
        return known ? { status: 480 } : { status: 404 };
      }
      const contact = parseUri(binding.contact);
      return { to: { host: contact.host, port: contact.port ?? 5060 }, uri: binding.contact };
    }
    const peer = this.s.routes[uri.host];
    return { to: peer ?? { host: uri.host, port: uri.port ?? 5060 }, uri: request.uri };
  }

  private async forward(request: SipRequest, tx: ServerTransaction | undefined, d: { to: Target; uri: string }, maxForwards: number): Promise<void> {
    const headers = request.headers.clone();
    headers.set('Max-Forwards', String(maxForwards - 1));
    if (this.s.recordRoute && request.method === 'INVITE') headers.prepend('Record-Route', `<sip:${this.endpoint.host}:${this.endpoint.port};lr>`);
    // A forwarded ACK (for a 2xx) has no transaction: its branch is derived from the incoming one
    // (§16.11), so a retransmitted ACK gets the same branch.
    const branch = request.method === 'ACK' ? statelessBranch(request) : newBranch();
    headers.prepend('Via', this.endpoint.via(branch));
    const out: SipRequest = { kind: 'request', method: request.method, uri: d.uri, headers, body: request.body };
    this.log(`sip-proxy: ${describe(request)} -> ${d.uri} via ${d.to.host}:${d.to.port ?? 5060}`);
    if (request.method === 'ACK' || tx === undefined) return this.endpoint.sendStateless(out, d.to);
    const state: Forwarded = { request: out, to: d.to, final: false, cancel: 'no' };
    if (request.method === 'INVITE') this.invites.set(tx, state);
    try {
      state.client = await this.endpoint.request(out, d.to, {
        response: (r) => this.relay(r, tx, state),
        timeout: () => {
          if (!state.final) tx.respond(responseTo(request, 408));
          state.final = true;
        },
      });
    } catch (e) {
      this.log(`sip-proxy: ${describe(request)}: ${(e as Error).message}`);
      tx.respond(responseTo(request, 404, { reason: 'Next Hop Not Found' }));
    }
  }

  /** A response from downstream, upstream through the server transaction (§16.7): 100 stays here. */
  private relay(response: SipResponse, tx: ServerTransaction, state: Forwarded): void {
    if (response.status === 100) return;
    if (response.status < 200 && state.cancel === 'pending') this.sendCancel(state);
    if (response.status >= 200) state.final = true;
    const up = { ...response, headers: response.headers.clone() };
    up.headers.shift('Via');
    tx.respond(up);
  }

  /** A 2xx retransmitted after its transaction ended, or a response to a stateless request: strip our Via, pass it on. */
  private relayStray(response: SipResponse): void {
    const top = response.headers.get('Via');
    if (top === undefined) return;
    const via = parseVia(top);
    if (via.host !== this.endpoint.host || (via.port ?? 5060) !== this.endpoint.port) return this.log(`sip-proxy: dropping stray ${describe(response)}: top Via is not ours`);
    const up = { ...response, headers: response.headers.clone() };
    up.headers.shift('Via');
    if (up.headers.get('Via') !== undefined) this.endpoint.sendResponse(up);
  }

  /** CANCEL (§16.10): answered here at once, then sent after the INVITE it cancels. */
  private cancel(request: SipRequest, tx: ServerTransaction | undefined): void {
    const invite = this.endpoint.inviteFor(request);
    if (!invite) {
      tx?.respond(responseTo(request, 481));
      return;
    }
    tx?.respond(responseTo(request, 200));
    const state = this.invites.get(invite);
    if (!state || state.final || state.cancel !== 'no') return;
    // A CANCEL may only follow a provisional response downstream (§9.1).
    if (state.client?.state === 'proceeding') this.sendCancel(state);
    else state.cancel = 'pending';
  }

  private sendCancel(state: Forwarded): void {
    state.cancel = 'sent';
    const f = state.request.headers;
    const headers = new Headers();
    headers.append('Via', f.get('Via')!);
    for (const route of f.all('Route')) headers.append('Route', route);
    headers.append('Max-Forwards', '70');
    for (const name of ['From', 'To', 'Call-ID']) headers.append(name, f.get(name) ?? '');
    headers.append('CSeq', `${(f.get('CSeq') ?? '1').trim().split(/\s+/)[0]} CANCEL`);
    const cancel: SipRequest = { kind: 'request', method: 'CANCEL', uri: state.request.uri, headers, body: '' };
    void this.endpoint.request(cancel, state.to, { response: () => undefined, timeout: () => undefined }).catch((e: Error) => this.log(`sip-proxy: CANCEL: ${e.message}`));
  }

  /** Loose routing (§16.4): Route entries that name this proxy are done with. */
  private popOwnRoutes(request: SipRequest): void {
    for (let route = request.headers.get('Route'); route !== undefined; route = request.headers.get('Route')) {
      const uri = parseNameAddr(route).uri;
      const ours = (uri.host === this.endpoint.host || isLocal(uri, this.s)) && (uri.port ?? 5060) === this.endpoint.port;
      if (!ours) return;
      request.headers.shift('Route');
    }
  }
}

function statelessBranch(request: SipRequest): string {
  const incoming = parseVia(request.headers.get('Via') ?? '').params.branch ?? '';
  return `z9hG4bK${createHash('sha1').update(`${incoming}|${request.headers.get('Call-ID') ?? ''}|${request.uri}`).digest('hex').slice(0, 16)}`;
}
