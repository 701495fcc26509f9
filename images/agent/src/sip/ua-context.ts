// What a user agent's calls share: its endpoint, settings and clock, and the dialogs that
// incoming in-dialog requests (ACK, BYE) are routed to.
import type { Clock, TimerValues } from './clock.js';
import type { SipEndpoint, Target } from './endpoint.js';
import type { SipRequest, SipResponse } from './message.js';
import type { ServerTransaction } from './server-transaction.js';

export interface UaSettings {
  user: string;
  domain: string;
  /** The outbound proxy: every request out of dialog goes there. */
  proxy: Target;
  /** Registration lifetime asked for, in seconds. */
  expires: number;
  register: boolean;
  /** Ringing time: ms between 180 Ringing and the final answer. */
  answerDelayMs: number;
  /** The final answer to an INVITE: 200 accepts; 486, 480, 603… refuse. */
  answerStatus: number;
}

export interface DialogHandler {
  request(request: SipRequest, tx: ServerTransaction | undefined): void;
}

export interface UaContext {
  endpoint: SipEndpoint;
  settings: UaSettings;
  clock: Clock;
  timers: TimerValues;
  log(line: string): void;
  /** Keyed by dialogKey(Call-ID, our tag). */
  dialogs: Map<string, DialogHandler>;
  /** Incoming calls still ringing, by INVITE transaction: a CANCEL stops them. */
  ringing: WeakMap<ServerTransaction, () => void>;
  /** `sip:alice@atlanta.lab` */
  aor: string;
  /** `<sip:alice@10.213.0.5:5060>` */
  contact: string;
}

/** One non-INVITE request in its own client transaction: its final response, or 'timeout' (Timer F). */
export function transact(ctx: UaContext, request: SipRequest, to: Target): Promise<SipResponse | 'timeout'> {
  return new Promise((resolve, reject) => {
    ctx.endpoint.request(request, to, {
      response: (r) => {
        if (r.status >= 200) resolve(r);
      },
      timeout: () => resolve('timeout'),
    }).catch(reject);
  });
}

export const userAgentHeader = 'emunet-sip/1';
