// Server transactions (RFC 3261 §17.2, with RFC 6026's Accepted state): they answer a
// retransmitted request with the last response instead of bothering the transaction user, and
// retransmit a non-2xx final response to an INVITE until its ACK comes. Pure state machines.
import { NamedTimers, type Clock, type TimerValues } from './clock.js';
import { responseTo, type SipRequest, type SipResponse } from './message.js';

export type ServerState = 'trying' | 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export interface ServerTransactionOptions {
  send(response: SipResponse): void;
  clock: Clock;
  timers: TimerValues;
  /** Called once when the transaction ends, so its layer forgets it. */
  terminated?(): void;
  /** Timer H fired: a non-2xx final response to an INVITE was never acknowledged. */
  ackTimeout?(): void;
  /** An INVITE server transaction answers 100 Trying at once (proxies: their next hop may be slow). */
  autoTrying?: boolean;
}

abstract class ServerTransactionBase {
  state: ServerState;
  protected last?: SipResponse;
  private readonly timers: NamedTimers;

  constructor(readonly request: SipRequest, protected readonly o: ServerTransactionOptions, initial: ServerState) {
    this.state = initial;
    this.timers = new NamedTimers(o.clock);
  }

  /** The final response, once one was sent. */
  get finalResponse(): SipResponse | undefined {
    return this.last !== undefined && this.last.status >= 200 ? this.last : undefined;
  }

  protected timer(name: string, ms: number, fire: () => void): void {
    this.timers.start(name, ms, fire);
  }

  protected terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timers.stopAll();
    this.o.terminated?.();
  }

  protected transmit(response: SipResponse): void {
    this.last = response;
    this.o.send(response);
  }

  abstract respond(response: SipResponse): void;
  /** A request that matched this transaction: a retransmission, or the ACK of a non-2xx final response. */
  abstract receive(request: SipRequest): void;
}

export class ServerInviteTransaction extends ServerTransactionBase {
  constructor(request: SipRequest, o: ServerTransactionOptions) {
    super(request, o, 'proceeding');
    if (o.autoTrying) this.transmit(responseTo(request, 100));
  }

  respond(response: SipResponse): void {
    const s = response.status;
    if (this.state === 'proceeding') {
      this.transmit(response);
      if (s >= 200 && s < 300) {
        // RFC 6026 Timer L: absorb INVITE retransmissions; the TU retransmits its 2xx itself.
        this.state = 'accepted';
        this.timer('L', 64 * this.o.timers.t1, () => this.terminate());
      } else if (s >= 300) {
        this.state = 'completed';
        const retransmit = (interval: number) => this.timer('G', interval, () => {
          if (this.state !== 'completed') return;
          this.o.send(response);
          retransmit(Math.min(2 * interval, this.o.timers.t2));
        });
        retransmit(this.o.timers.t1);
        this.timer('H', 64 * this.o.timers.t1, () => {
          if (this.state !== 'completed') return;
          this.terminate();
          this.o.ackTimeout?.();
        });
      }
    } else if (this.state === 'accepted' && s >= 200 && s < 300) {
      this.transmit(response); // a 2xx retransmission from the TU
    }
  }

  receive(request: SipRequest): void {
    if (request.method === 'ACK') {
      if (this.state !== 'completed') return;
      this.state = 'confirmed';
      // Timer I: T4 to absorb ACK retransmissions.
      this.timer('I', this.o.timers.t4, () => this.terminate());
      return;
    }
    if ((this.state === 'proceeding' || this.state === 'completed') && this.last) this.o.send(this.last);
  }
}

export class ServerNonInviteTransaction extends ServerTransactionBase {
  constructor(request: SipRequest, o: ServerTransactionOptions) {
    super(request, o, 'trying');
  }

  respond(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.transmit(response);
    if (response.status < 200) {
      this.state = 'proceeding';
      return;
    }
    this.state = 'completed';
    // Timer J: 64·T1 over UDP, answering retransmitted requests with the final response.
    this.timer('J', 64 * this.o.timers.t1, () => this.terminate());
  }

  receive(): void {
    // In trying, a retransmission is dropped (there is nothing to repeat yet).
    if ((this.state === 'proceeding' || this.state === 'completed') && this.last) this.o.send(this.last);
  }
}

export type ServerTransaction = ServerInviteTransaction | ServerNonInviteTransaction;
