// Client transactions (RFC 3261 §17.1, with RFC 6026's Accepted state): they retransmit a
// request over UDP until a response comes, and give up after 64·T1. Pure state machines: the
// transport is a `send` callback and time is an injected Clock.
import { NamedTimers, type Clock, type TimerValues } from './clock.js';
import { Headers } from './headers.js';
import type { SipRequest, SipResponse } from './message.js';

export type ClientState = 'calling' | 'trying' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

/** What a client transaction tells the transaction user (a UA call, a proxy branch). */
export interface ClientTransactionUser {
  /** Every response that is not a retransmission the transaction absorbs (2xx retransmissions are passed on). */
  response(response: SipResponse): void;
  /** Timer B or F: no final response within 64·T1. */
  timeout(): void;
}

export interface ClientTransactionOptions {
  send(request: SipRequest): void;
  clock: Clock;
  timers: TimerValues;
  /** Called once when the transaction ends, so its layer forgets it. */
  terminated?(): void;
}

abstract class ClientTransactionBase {
  state: ClientState;
  private readonly timers: NamedTimers;

  constructor(readonly request: SipRequest, protected readonly tu: ClientTransactionUser, protected readonly o: ClientTransactionOptions, initial: ClientState) {
    this.state = initial;
    this.timers = new NamedTimers(o.clock);
  }

  protected timer(name: string, ms: number, fire: () => void): void {
    this.timers.start(name, ms, fire);
  }

  protected stop(name: string): void {
    this.timers.stop(name);
  }

  protected terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timers.stopAll();
    this.o.terminated?.();
  }

  abstract start(): void;
  abstract receive(response: SipResponse): void;
}

export class ClientInviteTransaction extends ClientTransactionBase {
  private ackRequest?: SipRequest;

  constructor(request: SipRequest, tu: ClientTransactionUser, o: ClientTransactionOptions) {
    super(request, tu, o, 'calling');
  }

  start(): void {
    this.o.send(this.request);
    // Timer A doubles without a cap (§17.1.1.2); Timer B bounds the whole wait.
    const retransmit = (interval: number) => this.timer('A', interval, () => {
      if (this.state !== 'calling') return;
      this.o.send(this.request);
      retransmit(interval * 2);
    });
    retransmit(this.o.timers.t1);
    this.timer('B', 64 * this.o.timers.t1, () => {
      if (this.state !== 'calling') return;
      this.terminate();
      this.tu.timeout();
    });
  }

  receive(response: SipResponse): void {
    const s = response.status;
    if (this.state === 'calling' || this.state === 'proceeding') {
      this.stop('A');
      if (s < 200) {
        this.state = 'proceeding';
        this.stop('B');
        this.tu.response(response);
      } else if (s < 300) {
        // RFC 6026: stay to pass retransmitted 2xx to the TU (it re-sends its ACK) for 64·T1.
        this.state = 'accepted';
        this.stop('B');
        this.timer('M', 64 * this.o.timers.t1, () => this.terminate());
        this.tu.response(response);
      } else {
        this.state = 'completed';
        this.stop('B');
        this.ackRequest = ackFor(this.request, response);
        this.o.send(this.ackRequest);
        // Timer D: absorb retransmitted final responses (each re-ACKed) while they may still come.
        this.timer('D', Math.max(32_000, 64 * this.o.timers.t1), () => this.terminate());
        this.tu.response(response);
      }
    } else if (this.state === 'accepted') {
      if (s >= 200 && s < 300) this.tu.response(response);
    } else if (this.state === 'completed') {
      if (s >= 300 && this.ackRequest) this.o.send(this.ackRequest);
    }
  }
}

export class ClientNonInviteTransaction extends ClientTransactionBase {
  constructor(request: SipRequest, tu: ClientTransactionUser, o: ClientTransactionOptions) {
    super(request, tu, o, 'trying');
  }

  start(): void {
    this.o.send(this.request);
    // Timer E: T1 doubling up to T2 while trying, every T2 once a provisional came (§17.1.2.2).
    const retransmit = (interval: number) => this.timer('E', interval, () => {
      if (this.state !== 'trying' && this.state !== 'proceeding') return;
      this.o.send(this.request);
      retransmit(this.state === 'proceeding' ? this.o.timers.t2 : Math.min(2 * interval, this.o.timers.t2));
    });
    retransmit(this.o.timers.t1);
    this.timer('F', 64 * this.o.timers.t1, () => {
      if (this.state !== 'trying' && this.state !== 'proceeding') return;
      this.terminate();
      this.tu.timeout();
    });
  }

  receive(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return; // completed: retransmissions absorbed
    if (response.status < 200) {
      this.state = 'proceeding';
      this.tu.response(response);
      return;
    }
    this.state = 'completed';
    this.stop('E');
    this.stop('F');
    // Timer K: T4 to absorb retransmitted responses over UDP.
    this.timer('K', this.o.timers.t4, () => this.terminate());
    this.tu.response(response);
  }
}

export type ClientTransaction = ClientInviteTransaction | ClientNonInviteTransaction;

/**
 * The ACK a client INVITE transaction sends for a non-2xx final response (§17.1.1.3): same
 * Request-URI, top Via, Call-ID, From, CSeq number and Route; To from the response.
 */
export function ackFor(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new Headers();
  const topVia = invite.headers.get('Via');
  if (topVia !== undefined) headers.append('Via', topVia);
  for (const route of invite.headers.all('Route')) headers.append('Route', route);
  headers.append('Max-Forwards', '70');
  headers.append('From', invite.headers.get('From') ?? '');
  headers.append('To', response.headers.get('To') ?? invite.headers.get('To') ?? '');
  headers.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  const seq = (invite.headers.get('CSeq') ?? '1').trim().split(/\s+/)[0];
  headers.append('CSeq', `${seq} ACK`);
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers, body: '' };
}
