// The presence directory (the lecture's "centralized server: finding the address of the remote
// party"): STUN messages over UDP.
//   Binding request                 -> XOR-MAPPED-ADDRESS: the address this request came from, as
//                                      the directory sees it (after every NAT on the way). With a
//                                      USER attribute it also registers that user at that address.
//   Lookup request (USER)           -> XOR-PEER-ADDRESS of the user, or 404.
//   Connect request (USER, CALL)    -> the directory asks the callee (a Connect request of its own,
//                                      to the callee's registered address, naming the caller's
//                                      observed address) and answers the caller once the callee
//                                      accepted, with the callee's address as it accepted from.
// Pure: datagrams in, datagrams out; time is injected.
import { randomBytes } from 'node:crypto';
import { Attr, Method, addressKey, decodeStun, encodeStun, errorCode, readText, readU32, u32, xorAddress, type Address, type StunAttribute, type StunMessage } from './stun.js';

export interface Datagram { to: Address; data: Buffer }
interface Registration { address: Address; expires: number }
interface PendingConnect { caller: Address; callerTx: Buffer; callee: string; request: StunMessage; expires: number }

const PENDING_MS = 30_000;

export class Directory {
  private readonly users = new Map<string, Registration>();
  private readonly pending = new Map<string, PendingConnect>(); // directory's tx id -> the call
  private readonly byCallerTx = new Map<string, string>(); // caller's tx id -> directory's tx id
  readonly counters = { bindings: 0, registrations: 0, lookups: 0, connects: 0, forwarded: 0 };

  constructor(private readonly options: { lifetimeMs: number; now: () => number; transactionId?: () => Buffer }) {}

  handle(data: Buffer, from: Address): Datagram[] {
    const m = decodeStun(data);
    if (!m) return [];
    const now = this.options.now();
    this.expire(now);
    if (m.cls === 'request' && m.method === Method.Binding) return [this.binding(m, from, now)];
    if (m.cls === 'request' && m.method === Method.Lookup) return [this.lookup(m, from)];
    if (m.cls === 'request' && m.method === Method.Connect) return this.connect(m, from, now);
    if (m.cls === 'success' && m.method === Method.Connect) return this.accepted(m, from, now);
    return m.cls === 'request' ? [reply(m, from, 'error', [errorCode(400, 'Bad Request: unknown method')])] : [];
  }

  registered(): { user: string; address: string }[] {
    return [...this.users].map(([user, r]) => ({ user, address: addressKey(r.address) }));
  }

  private binding(m: StunMessage, from: Address, now: number): Datagram {
    this.counters.bindings++;
    const user = readText(m, Attr.User);
    const attrs: StunAttribute[] = [xorAddress(Attr.XorMappedAddress, from)];
    if (user !== undefined) {
      this.counters.registrations++;
      const lifetimeMs = Math.min((readU32(m, Attr.Lifetime) ?? Infinity) * 1000, this.options.lifetimeMs);
      this.users.set(user, { address: from, expires: now + lifetimeMs });
      attrs.push(u32(Attr.Lifetime, Math.round(lifetimeMs / 1000)));
    }
    return reply(m, from, 'success', attrs);
  }

  private lookup(m: StunMessage, from: Address): Datagram {
    this.counters.lookups++;
    const user = readText(m, Attr.User) ?? '';
    const found = this.users.get(user);
    return found ? reply(m, from, 'success', [xorAddress(Attr.XorPeerAddress, found.address)]) : reply(m, from, 'error', [errorCode(404, `unknown user ${user}`)]);
  }

  private connect(m: StunMessage, from: Address, now: number): Datagram[] {
    const callee = readText(m, Attr.User) ?? '';
    const registration = this.users.get(callee);
    if (!registration) return [reply(m, from, 'error', [errorCode(404, `unknown user ${callee}`)])];
    const known = this.byCallerTx.get(m.transactionId.toString('hex'));
    // A retransmitted Connect: the callee has not answered yet (or its answer was lost), ask again.
    const tx = known ?? this.nextTransactionId().toString('hex');
    if (!known) {
      this.counters.connects++;
      const request: StunMessage = {
        method: Method.Connect,
        cls: 'request',
        transactionId: Buffer.from(tx, 'hex'),
        attributes: [xorAddress(Attr.XorPeerAddress, from), ...m.attributes.filter((a) => a.type === Attr.Call || a.type === Attr.XorRelayedAddress)],
      };
      this.pending.set(tx, { caller: from, callerTx: m.transactionId, callee, request, expires: now + PENDING_MS });
      this.byCallerTx.set(m.transactionId.toString('hex'), tx);
    }
    const pending = this.pending.get(tx)!;
    this.counters.forwarded++;
    return [{ to: registration.address, data: encodeStun(pending.request, { fingerprint: true }) }];
  }

  private accepted(m: StunMessage, from: Address, now: number): Datagram[] {
    const tx = m.transactionId.toString('hex');
    const pending = this.pending.get(tx);
    if (!pending) return [];
    this.pending.delete(tx);
    this.byCallerTx.delete(pending.callerTx.toString('hex'));
    // The callee answered from where it is now: that is the freshest address the directory has.
    const registration = this.users.get(pending.callee);
    if (registration) registration.address = from;
    else this.users.set(pending.callee, { address: from, expires: now + this.options.lifetimeMs });
    const answer: StunMessage = { method: Method.Connect, cls: 'success', transactionId: pending.callerTx, attributes: [xorAddress(Attr.XorPeerAddress, from)] };
    return [{ to: pending.caller, data: encodeStun(answer, { fingerprint: true }) }];
  }

  private expire(now: number): void {
    for (const [user, r] of this.users) if (r.expires <= now) this.users.delete(user);
    for (const [tx, p] of this.pending) {
      if (p.expires > now) continue;
      this.pending.delete(tx);
      this.byCallerTx.delete(p.callerTx.toString('hex'));
    }
  }

  private nextTransactionId(): Buffer {
    return this.options.transactionId?.() ?? randomBytes(12);
  }
}

/** A response to `m` (success or error), sent back to where it came from. */
function reply(m: StunMessage, from: Address, cls: 'success' | 'error', attributes: StunAttribute[]): Datagram {
  const data = encodeStun({ method: m.method, cls, transactionId: m.transactionId, attributes }, { fingerprint: true });
  return { to: from, data };
}
