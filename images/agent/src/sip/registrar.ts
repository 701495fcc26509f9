// The registrar and its location service (RFC 3261 §10.3): REGISTER binds an address-of-record
// to contact URIs for a time; the proxy asks where a user can be reached now. Pure: the clock is
// injected, and the answer is a response, not a send.
import type { Clock } from './clock.js';
import { responseTo, type SipRequest, type SipResponse } from './message.js';
import { aorOf, formatUri, parseNameAddr, type SipUri } from './uri.js';

export interface Binding {
  contact: string;
  /** Clock time (ms) at which the binding lapses. */
  expiresAt: number;
  callId: string;
  cseq: number;
}

export interface RegistrarSettings {
  /** The domain this registrar is responsible for (`atlanta.lab`). */
  domain: string;
  /** Other names of this server in a Request-URI or To (its node name and address), taken as the domain. */
  aliases: string[];
  /** Known users: anyone else gets 404. Empty: any user may register. */
  users: string[];
  defaultExpires: number;
  minExpires: number;
  maxExpires: number;
}

export class LocationService {
  private readonly bindings = new Map<string, Binding[]>();

  constructor(private readonly clock: Clock) {}

  /** Current contacts of an AOR, most recent registration first. */
  lookup(aor: string): Binding[] {
    const now = this.clock.now();
    const live = (this.bindings.get(aor) ?? []).filter((b) => b.expiresAt > now);
    if (live.length === 0) this.bindings.delete(aor);
    else this.bindings.set(aor, live);
    return live;
  }

  put(aor: string, binding: Binding): void {
    const others = this.lookup(aor).filter((b) => b.contact !== binding.contact);
    this.bindings.set(aor, [binding, ...others]);
  }

  remove(aor: string, contact?: string): void {
    const kept = contact === undefined ? [] : this.lookup(aor).filter((b) => b.contact !== contact);
    if (kept.length === 0) this.bindings.delete(aor);
    else this.bindings.set(aor, kept);
  }

  /** Every live binding, for the proxy's `sip-bindings` control request. */
  dump(): Record<string, { contact: string; expiresInS: number }[]> {
    const out: Record<string, { contact: string; expiresInS: number }[]> = {};
    for (const aor of [...this.bindings.keys()]) {
      const live = this.lookup(aor);
      if (live.length > 0) out[aor] = live.map((b) => ({ contact: b.contact, expiresInS: Math.round((b.expiresAt - this.clock.now()) / 1000) }));
    }
    return out;
  }
}

/** Whether a URI's host names this registrar's domain (the domain itself, the node's name or address). */
export function isLocal(uri: SipUri, s: Pick<RegistrarSettings, 'domain' | 'aliases'>): boolean {
  return uri.host === s.domain.toLowerCase() || s.aliases.includes(uri.host);
}

/** The AOR with the domain in place of an alias, so `sip:bob@10.0.0.5` and `sip:bob@biloxi.lab` are one user. */
export function canonicalAor(uri: SipUri, s: Pick<RegistrarSettings, 'domain' | 'aliases'>): string {
  return aorOf(isLocal(uri, s) ? { ...uri, host: s.domain.toLowerCase(), port: undefined } : uri);
}

/** Processes a REGISTER for this domain (§10.3 steps 2-8) and returns the response to send. */
export function register(request: SipRequest, location: LocationService, s: RegistrarSettings, clock: Clock): SipResponse {
  let to: SipUri;
  try {
    to = parseNameAddr(request.headers.get('To') ?? '').uri;
  } catch {
    return responseTo(request, 400, { reason: 'Bad To Header' });
  }
  if (!isLocal(to, s)) return responseTo(request, 403, { reason: `Not Registrar For ${to.host}` });
  if (to.user === undefined) return responseTo(request, 400, { reason: 'To Has No User' });
  if (s.users.length > 0 && !s.users.includes(to.user.toLowerCase())) return responseTo(request, 404);
  const aor = canonicalAor(to, s);
  const callId = request.headers.get('Call-ID') ?? '';
  const cseq = Number((request.headers.get('CSeq') ?? '0').trim().split(/\s+/)[0]);
  const headerExpires = request.headers.get('Expires');
  const contacts = request.headers.all('Contact');
  if (contacts.length === 1 && contacts[0] === '*') {
    if (headerExpires?.trim() !== '0') return responseTo(request, 400, { reason: 'Wildcard Contact Needs Expires 0' });
    location.remove(aor);
    return ok(request, location, aor, clock);
  }
  for (const text of contacts) {
    let contact;
    try {
      contact = parseNameAddr(text);
    } catch {
      return responseTo(request, 400, { reason: 'Bad Contact' });
    }
    const expires = Number(contact.params.expires ?? headerExpires ?? s.defaultExpires);
    if (!Number.isFinite(expires) || expires < 0) return responseTo(request, 400, { reason: 'Bad Expires' });
    const uri = formatUri(contact.uri);
    if (expires === 0) {
      location.remove(aor, uri);
      continue;
    }
    if (expires < s.minExpires) {
      const r = responseTo(request, 423);
      r.headers.append('Min-Expires', String(s.minExpires));
      return r;
    }
    const previous = location.lookup(aor).find((b) => b.contact === uri);
    // §10.3 step 7: a registration older than the one we hold (same Call-ID, lower CSeq) is stale.
    if (previous && previous.callId === callId && previous.cseq > cseq) return responseTo(request, 500, { reason: 'Out Of Order Registration' });
    location.put(aor, { contact: uri, expiresAt: clock.now() + 1000 * Math.min(expires, s.maxExpires), callId, cseq });
  }
  return ok(request, location, aor, clock);
}

function ok(request: SipRequest, location: LocationService, aor: string, clock: Clock): SipResponse {
  const r = responseTo(request, 200, { toTag: tagFor(aor) });
  for (const b of location.lookup(aor)) r.headers.append('Contact', `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - clock.now()) / 1000))}`);
  return r;
}

/** A stable To tag per AOR: a registrar's responses need one, and it need not be random. */
function tagFor(aor: string): string {
  let h = 0;
  for (const c of aor) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `r${h.toString(16)}`;
}

