// Placing a call (RFC 3261 §13.2, §15): INVITE with an SDP offer through the outbound proxy,
// timing the 180 (post-dial delay) and the 200 (setup time), ACK, media for the call's
// duration, then BYE (teardown time) and the media statistics.
import { randomBytes, randomInt } from 'node:crypto';
import type { ClientTransaction } from './client-transaction.js';
import { inDialogRequest, dialogKey, uacDialog, type Dialog } from './dialog.js';
import { newBranch, newTag } from './endpoint.js';
import { Headers } from './headers.js';
import { MediaSession, type MediaReport } from './media.js';
import type { SipRequest, SipResponse } from './message.js';
import { responseTo } from './message.js';
import { audioSdp, chooseCodec, parseAudio } from './sdp.js';
import { transact, userAgentHeader, type UaContext } from './ua-context.js';
import { parseUri } from './uri.js';

export interface CallOptions {
  /** How long the call lasts once answered (media flowing), ms. */
  durationMs: number;
  /** Give up (CANCEL) if no final answer within this many ms. */
  timeoutMs: number;
}

export interface CallResult {
  to: string;
  /** The INVITE's final status (408 when nothing answered). */
  status: number;
  reason: string;
  /** INVITE -> first 180/183. */
  postDialDelayMs?: number;
  /** INVITE -> 2xx. */
  setupMs?: number;
  /** BYE -> its final response. */
  teardownMs?: number;
  byeStatus?: number;
  /** What this side received from the callee. */
  media?: MediaReport;
}

export async function placeCall(ctx: UaContext, target: string, o: CallOptions): Promise<CallResult> {
  parseUri(target); // a bad target fails here, before anything is sent
  const media = await MediaSession.open(ctx.endpoint.host);
  const invite = buildInvite(ctx, target, media.port);
  const started = ctx.clock.now();
  const result: CallResult = { to: target, status: 408, reason: 'Request Timeout' };
  let dialog: Dialog | undefined;
  let ack: { request: SipRequest; to: { host: string; port?: number } } | undefined;
  let hungUp: () => void = () => undefined;
  const remoteBye = new Promise<void>((resolve) => (hungUp = resolve));
  let client: ClientTransaction | undefined;
  const answered = await new Promise<SipResponse | undefined>((resolve) => {
    const giveUp = ctx.clock.setTimer(o.timeoutMs, () => {
      ctx.log(`sip-ua: no answer from ${target} in ${o.timeoutMs} ms: CANCEL`);
      if (client) void cancel(ctx, invite, client);
    });
    void ctx.endpoint.request(invite, ctx.settings.proxy, {
      response: (r) => {
        const elapsed = ctx.clock.now() - started;
        if ((r.status === 180 || r.status === 183) && result.postDialDelayMs === undefined) result.postDialDelayMs = elapsed;
        if (r.status < 200) return;
        if (r.status >= 300) {
          giveUp();
          Object.assign(result, { status: r.status, reason: r.reason });
          return resolve(undefined);
        }
        // A retransmitted 2xx means our ACK was lost: send it again (§13.2.2.4).
        if (ack) return void ctx.endpoint.sendStateless(ack.request, ack.to);
        giveUp();
        try {
          dialog = uacDialog(invite, r);
        } catch (e) {
          // A 2xx we cannot ACK (no Contact) is a broken answer, not an established call.
          Object.assign(result, { status: 500, reason: `unusable ${r.status}: ${(e as Error).message}` });
          return resolve(undefined);
        }
        Object.assign(result, { status: r.status, reason: r.reason, setupMs: elapsed });
        ack = inDialogRequest(dialog, 'ACK', ctx.endpoint.via(newBranch()), dialog.localSeq);
        void ctx.endpoint.sendStateless(ack.request, ack.to);
        ctx.dialogs.set(dialogKey(dialog.callId, dialog.localTag), {
          request: (req, tx) => {
            if (req.method === 'BYE') {
              tx?.respond(responseTo(req, 200));
              hungUp();
            } else if (req.method !== 'ACK') tx?.respond(responseTo(req, 501));
          },
        });
        resolve(r);
      },
      timeout: () => {
        giveUp();
        resolve(undefined);
      },
    }).then((tx) => (client = tx), (e: Error) => {
      giveUp();
      Object.assign(result, { status: 503, reason: e.message });
      resolve(undefined);
    });
  });
  if (!answered || !dialog) {
    media.close();
    return result;
  }
  try {
    const answer = parseAudio(answered.body);
    media.start(answer, chooseCodec(answer) ?? 0);
  } catch (e) {
    ctx.log(`sip-ua: no media to ${target}: ${(e as Error).message}`);
  }
  const byRemote = await Promise.race([sleep(ctx, o.durationMs).then(() => false), remoteBye.then(() => true)]);
  media.stopSending();
  if (!byRemote) {
    const bye = inDialogRequest(dialog, 'BYE', ctx.endpoint.via(newBranch()));
    bye.request.headers.append('User-Agent', userAgentHeader);
    const sent = ctx.clock.now();
    const r = await transact(ctx, bye.request, bye.to);
    result.teardownMs = ctx.clock.now() - sent;
    result.byeStatus = r === 'timeout' ? 408 : r.status;
  }
  ctx.dialogs.delete(dialogKey(dialog.callId, dialog.localTag));
  result.media = media.close();
  return result;
}

function buildInvite(ctx: UaContext, target: string, mediaPort: number): SipRequest {
  const headers = new Headers();
  headers.append('Via', ctx.endpoint.via(newBranch()));
  headers.append('Max-Forwards', '70');
  headers.append('From', `<${ctx.aor}>;tag=${newTag()}`);
  headers.append('To', `<${target}>`);
  headers.append('Call-ID', `${randomBytes(8).toString('hex')}@${ctx.endpoint.host}`);
  headers.append('CSeq', `${randomInt(1, 10000)} INVITE`);
  headers.append('Contact', ctx.contact);
  headers.append('Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS');
  headers.append('User-Agent', userAgentHeader);
  headers.append('Content-Type', 'application/sdp');
  const body = audioSdp({ address: ctx.endpoint.host, port: mediaPort, sessionId: randomInt(1, 2 ** 31), payloadTypes: [0, 8] });
  return { kind: 'request', method: 'INVITE', uri: target, headers, body };
}

/** CANCEL the INVITE (§9.1): same Request-URI, top Via, Call-ID, From, To and CSeq number; its 487 ends the call. */
async function cancel(ctx: UaContext, invite: SipRequest, client: ClientTransaction): Promise<void> {
  if (client.state !== 'proceeding' && client.state !== 'calling') return;
  const h = invite.headers;
  const headers = new Headers();
  headers.append('Via', h.get('Via')!);
  headers.append('Max-Forwards', '70');
  for (const name of ['From', 'To', 'Call-ID']) headers.append(name, h.get(name)!);
  headers.append('CSeq', `${h.get('CSeq')!.trim().split(/\s+/)[0]} CANCEL`);
  await transact(ctx, { kind: 'request', method: 'CANCEL', uri: invite.uri, headers, body: '' }, ctx.settings.proxy);
}

const sleep = (ctx: UaContext, ms: number) => new Promise<void>((resolve) => ctx.clock.setTimer(ms, resolve));
