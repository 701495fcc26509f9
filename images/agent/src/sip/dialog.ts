// Dialogs (RFC 3261 §12): the state two UAs share once a call is set up, and how requests
// inside it (ACK for a 2xx, BYE) are built and routed: through the proxies that asked to stay
// on the path (Record-Route), to the peer's Contact.
import type { Target } from './endpoint.js';
import { Headers } from './headers.js';
import type { SipRequest, SipResponse } from './message.js';
import { formatNameAddr, formatUri, parseNameAddr, parseUri, tagOf } from './uri.js';

export interface Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From (ours) and To (theirs) as name-addr without tags. */
  localUri: string;
  remoteUri: string;
  localSeq: number;
  /** The peer's Contact URI: the Request-URI of requests in the dialog. */
  remoteTarget: string;
  /** Route header values, in the order requests carry them. */
  routeSet: string[];
}

/** The key under which a UA finds the dialog of an incoming request: Call-ID and our tag. */
export const dialogKey = (callId: string, localTag: string): string => `${callId}|${localTag}`;

const withoutTag = (nameAddr: string): string => {
  const na = parseNameAddr(nameAddr);
  delete na.params.tag;
  return formatNameAddr(na);
};

const contactUri = (m: SipRequest | SipResponse): string => {
  const contact = m.headers.get('Contact');
  if (contact === undefined) throw new Error(`no Contact in ${m.kind === 'request' ? m.method : m.status}: the dialog has no remote target`);
  return formatUri(parseNameAddr(contact).uri);
};

/** The caller's side, from the INVITE it sent and the 2xx that answered (§12.1.2). */
export function uacDialog(invite: SipRequest, response: SipResponse): Dialog {
  return {
    callId: invite.headers.get('Call-ID')!,
    localTag: tagOf(invite.headers.get('From')) ?? '',
    remoteTag: tagOf(response.headers.get('To')) ?? '',
    localUri: withoutTag(invite.headers.get('From')!),
    remoteUri: withoutTag(response.headers.get('To')!),
    localSeq: Number(invite.headers.get('CSeq')!.trim().split(/\s+/)[0]),
    remoteTarget: contactUri(response),
    routeSet: response.headers.all('Record-Route').reverse(),
  };
}

/** The callee's side, from the INVITE it received and the tag it chose (§12.1.1). */
export function uasDialog(invite: SipRequest, localTag: string): Dialog {
  return {
    callId: invite.headers.get('Call-ID')!,
    localTag,
    remoteTag: tagOf(invite.headers.get('From')) ?? '',
    localUri: withoutTag(invite.headers.get('To')!),
    remoteUri: withoutTag(invite.headers.get('From')!),
    localSeq: 0,
    remoteTarget: contactUri(invite),
    routeSet: invite.headers.all('Record-Route'),
  };
}

/**
 * A request inside the dialog (§12.2.1.1) and where to send it: to the first route when the
 * route set is loose (`;lr`), else (a strict router) to it with the target moved into Route.
 * ACK reuses the INVITE's CSeq number; other methods take the next one.
 */
export function inDialogRequest(d: Dialog, method: string, via: string, inviteSeq?: number): { request: SipRequest; to: Target } {
  const seq = method === 'ACK' ? inviteSeq ?? d.localSeq : ++d.localSeq;
  const headers = new Headers();
  headers.append('Via', via);
  let uri = d.remoteTarget;
  let routes = d.routeSet;
  const first = routes[0] === undefined ? undefined : parseNameAddr(routes[0]).uri;
  if (first && !('lr' in first.params)) {
    uri = formatUri(first);
    routes = [...routes.slice(1), `<${d.remoteTarget}>`];
  }
  for (const r of routes) headers.append('Route', r);
  headers.append('Max-Forwards', '70');
  headers.append('From', `${d.localUri};tag=${d.localTag}`);
  headers.append('To', `${d.remoteUri};tag=${d.remoteTag}`);
  headers.append('Call-ID', d.callId);
  headers.append('CSeq', `${seq} ${method}`);
  const hop = first ?? parseUri(d.remoteTarget);
  return { request: { kind: 'request', method, uri, headers, body: '' }, to: { host: hop.host, port: hop.port ?? 5060 } };
}
