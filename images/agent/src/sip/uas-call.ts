// Answering a call (RFC 3261 §13.3): 180 Ringing at once, then after the configured ringing
// time 200 OK with the SDP answer, retransmitted until the ACK (§13.3.1.4), media from the ACK
// until BYE. CANCEL while ringing ends it with 487.
import { randomInt } from 'node:crypto';
import { dialogKey, inDialogRequest, uasDialog } from './dialog.js';
import { newBranch, newTag } from './endpoint.js';
import { MediaSession } from './media.js';
import { responseTo, type SipRequest, type SipResponse } from './message.js';
import { audioSdp, chooseCodec, parseAudio, type AudioDescription } from './sdp.js';
import type { ServerTransaction } from './server-transaction.js';
import { transact, userAgentHeader, type UaContext } from './ua-context.js';

export function cancelIncoming(ctx: UaContext, cancel: SipRequest, tx: ServerTransaction | undefined): void {
  const invite = ctx.endpoint.inviteFor(cancel);
  const stop = invite ? ctx.ringing.get(invite) : undefined;
  tx?.respond(responseTo(cancel, stop ? 200 : 481));
  stop?.();
}

export async function answerCall(ctx: UaContext, invite: SipRequest, tx: ServerTransaction): Promise<void> {
  const tag = newTag();
  const respond = (status: number, body?: string): SipResponse => {
    const r = responseTo(invite, status, { toTag: tag, ...(body === undefined ? {} : { body }) });
    if (status < 300) r.headers.append('Contact', ctx.contact);
    r.headers.append('User-Agent', userAgentHeader);
    if (body !== undefined) r.headers.append('Content-Type', 'application/sdp');
    return r;
  };
  let offer: AudioDescription;
  let codec: number | undefined;
  try {
    offer = parseAudio(invite.body);
    codec = chooseCodec(offer);
  } catch (e) {
    ctx.log(`sip-ua: refusing a call: ${(e as Error).message}`);
    return tx.respond(respond(488));
  }
  if (codec === undefined) return tx.respond(respond(488));
  tx.respond(respond(180));
  const answered = await new Promise<boolean>((resolve) => {
    const cancelTimer = ctx.clock.setTimer(ctx.settings.answerDelayMs, () => {
      ctx.ringing.delete(tx);
      resolve(true);
    });
    ctx.ringing.set(tx, () => {
      cancelTimer();
      ctx.ringing.delete(tx);
      tx.respond(respond(487));
      resolve(false);
    });
  });
  if (!answered) return ctx.log(`sip-ua: call from ${invite.headers.get('From')} cancelled while ringing`);
  if (ctx.settings.answerStatus >= 300) return tx.respond(respond(ctx.settings.answerStatus));
  const media = await MediaSession.open(ctx.endpoint.host);
  const ok = respond(200, audioSdp({ address: ctx.endpoint.host, port: media.port, sessionId: randomInt(1, 2 ** 31), payloadTypes: [codec] }));
  const dialog = uasDialog(invite, tag);
  const key = dialogKey(dialog.callId, tag);
  let acked = false;
  let ended = false;
  const end = (why: string) => {
    if (ended) return;
    ended = true;
    ctx.dialogs.delete(key);
    const r = media.close();
    ctx.log(`sip-ua: call ${dialog.callId} ended (${why}): sent ${r.sent}, received ${r.received}/${r.expected} loss ${r.lossPct.toFixed(1)}% jitter ${r.jitterMs.toFixed(2)} ms`);
  };
  ctx.dialogs.set(key, {
    request: (req, rtx) => {
      if (req.method === 'ACK' && !acked) {
        acked = true;
        media.start(offer, codec!);
      } else if (req.method === 'BYE') {
        rtx?.respond(responseTo(req, 200));
        end('BYE from the caller');
      } else if (req.method !== 'ACK') {
        rtx?.respond(responseTo(req, 501));
      }
    },
  });
  tx.respond(ok);
  // §13.3.1.4: the 2xx is the UAS core's to retransmit (T1, doubling to T2) until the ACK; no ACK in 64·T1 ends the call.
  const { t1, t2 } = ctx.timers;
  const retransmit = (interval: number, waited: number) => ctx.clock.setTimer(interval, () => {
    if (acked || ended) return;
    if (waited + interval >= 64 * t1) {
      const bye = inDialogRequest(dialog, 'BYE', ctx.endpoint.via(newBranch()));
      void transact(ctx, bye.request, bye.to).finally(() => end('no ACK'));
      return;
    }
    tx.respond(ok);
    retransmit(Math.min(2 * interval, t2), waited + interval);
  });
  retransmit(t1, 0);
}
