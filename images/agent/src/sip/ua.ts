// A SIP user agent (RFC 3261 §8, §10.2): registers its user with the domain's registrar (and
// refreshes before expiry), answers calls, places calls on request, and routes in-dialog
// requests to their calls.
import { randomBytes, randomInt } from 'node:crypto';
import type { Clock, TimerValues } from './clock.js';
import { dialogKey } from './dialog.js';
import { newBranch, newTag, type SipEndpoint } from './endpoint.js';
import { Headers } from './headers.js';
import { describe, responseTo, type SipRequest } from './message.js';
import type { ServerTransaction } from './server-transaction.js';
import { placeCall, type CallOptions, type CallResult } from './uac-call.js';
import { answerCall, cancelIncoming } from './uas-call.js';
import { transact, userAgentHeader, type UaContext, type UaSettings } from './ua-context.js';
import { tagOf } from './uri.js';

export interface Registration { status: number; reason: string; ms: number; expires?: number }

export class UserAgent {
  private readonly ctx: UaContext;
  private readonly callId = `${randomBytes(8).toString('hex')}@reg`;
  private readonly fromTag = newTag();
  private cseq = randomInt(1, 10000);
  private cancelRefresh: () => void = () => undefined;
  registered = false;

  constructor(endpoint: SipEndpoint, settings: UaSettings, clock: Clock, timers: TimerValues, log: (line: string) => void) {
    const aor = `sip:${settings.user}@${settings.domain}`;
    this.ctx = { endpoint, settings, clock, timers, log, dialogs: new Map(), ringing: new WeakMap(), aor, contact: `<sip:${settings.user}@${endpoint.host}:${endpoint.port}>` };
    endpoint.onRequest = (request, tx) => {
      try {
        this.dispatch(request, tx);
      } catch (e) {
        log(`sip-ua: ${describe(request)}: ${(e as Error).message}`);
        if (tx && !tx.finalResponse) tx.respond(responseTo(request, 500));
      }
    };
  }

  get aor(): string {
    return this.ctx.aor;
  }

  /** One REGISTER (§10.2) with its round-trip time; `expires` 0 removes the binding. A success schedules the refresh at half the granted time. */
  async register(expires = this.ctx.settings.expires): Promise<Registration> {
    const s = this.ctx.settings;
    const headers = new Headers();
    headers.append('Via', this.ctx.endpoint.via(newBranch()));
    headers.append('Max-Forwards', '70');
    headers.append('From', `<${this.ctx.aor}>;tag=${this.fromTag}`);
    headers.append('To', `<${this.ctx.aor}>`);
    headers.append('Call-ID', this.callId);
    headers.append('CSeq', `${++this.cseq} REGISTER`);
    headers.append('Contact', this.ctx.contact);
    headers.append('Expires', String(expires));
    headers.append('User-Agent', userAgentHeader);
    const request: SipRequest = { kind: 'request', method: 'REGISTER', uri: `sip:${s.domain}`, headers, body: '' };
    const started = this.ctx.clock.now();
    const r = await transact(this.ctx, request, s.proxy);
    const ms = this.ctx.clock.now() - started;
    if (r === 'timeout') return { status: 408, reason: 'Request Timeout', ms };
    const granted = grantedExpires(r.headers.all('Contact'), this.ctx.contact) ?? expires;
    this.registered = r.status >= 200 && r.status < 300 && granted > 0;
    this.cancelRefresh();
    if (this.registered) {
      this.cancelRefresh = this.ctx.clock.setTimer((granted * 1000) / 2, () => {
        this.register().then(
          (again) => this.ctx.log(`sip-ua: registration refreshed: ${again.status} ${again.reason}`),
          (e: Error) => this.ctx.log(`sip-ua: registration refresh failed: ${e.message}`),
        );
      });
    }
    return { status: r.status, reason: r.reason, ms, expires: granted };
  }

  /** OPTIONS to a URI through the proxy (§11): whether and how fast it answers, without a call. */
  async options(target: string): Promise<{ status: number; ms: number }> {
    const headers = new Headers();
    headers.append('Via', this.ctx.endpoint.via(newBranch()));
    headers.append('Max-Forwards', '70');
    headers.append('From', `<${this.ctx.aor}>;tag=${newTag()}`);
    headers.append('To', `<${target}>`);
    headers.append('Call-ID', `${randomBytes(8).toString('hex')}@${this.ctx.endpoint.host}`);
    headers.append('CSeq', '1 OPTIONS');
    headers.append('User-Agent', userAgentHeader);
    const started = this.ctx.clock.now();
    const r = await transact(this.ctx, { kind: 'request', method: 'OPTIONS', uri: target, headers, body: '' }, this.ctx.settings.proxy);
    return { status: r === 'timeout' ? 408 : r.status, ms: this.ctx.clock.now() - started };
  }

  call(target: string, options: CallOptions): Promise<CallResult> {
    return placeCall(this.ctx, target, options);
  }

  stop(): void {
    this.cancelRefresh();
  }

  private dispatch(request: SipRequest, tx: ServerTransaction | undefined): void {
    const toTag = tagOf(request.headers.get('To'));
    if (toTag !== undefined) {
      const dialog = this.ctx.dialogs.get(dialogKey(request.headers.get('Call-ID') ?? '', toTag));
      if (dialog) return dialog.request(request, tx);
      if (request.method !== 'ACK') tx?.respond(responseTo(request, 481));
      return;
    }
    if (request.method === 'INVITE' && tx) {
      answerCall(this.ctx, request, tx).catch((e: Error) => {
        this.ctx.log(`sip-ua: answering ${describe(request)}: ${e.message}`);
        if (!tx.finalResponse) tx.respond(responseTo(request, 500));
      });
      return;
    }
    if (request.method === 'CANCEL') return cancelIncoming(this.ctx, request, tx);
    if (request.method === 'OPTIONS') return void tx?.respond(responseTo(request, 200));
    if (request.method !== 'ACK') tx?.respond(responseTo(request, 405));
  }
}

/** The lifetime the registrar granted our contact (its `expires` parameter in the 200's Contact list). */
function grantedExpires(contacts: string[], ours: string): number | undefined {
  const uri = ours.replace(/^<|>$/g, '');
  for (const c of contacts) {
    if (!c.includes(uri)) continue;
    const m = /;\s*expires=(\d+)/i.exec(c);
    if (m) return Number(m[1]);
  }
  return undefined;
}
