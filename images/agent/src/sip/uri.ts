// The structured header values SIP routing depends on: SIP URIs (§19.1), name-addr with
// header parameters (From, To, Contact, Route), Via (§20.42) and CSeq (§20.16).
import { SipParseError } from './message.js';

export type Params = Record<string, string | null>;

export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  host: string;
  port?: number;
  params: Params;
  /** `?name=value&…`, kept verbatim. */
  headers?: string;
}

export interface NameAddr { display?: string; uri: SipUri; params: Params }

export interface Via { transport: string; host: string; port?: number; params: Params }

/** `;a=1;lr;tag="x"` -> {a: '1', lr: null, tag: 'x'}; names lower-cased, quoted values unquoted. */
export function parseParams(text: string): Params {
  const params: Params = {};
  for (const part of text.split(';')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? null : p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    params[name] = value;
  }
  return params;
}

export function formatParams(params: Params): string {
  return Object.entries(params).map(([k, v]) => (v === null ? `;${k}` : `;${k}=${v}`)).join('');
}

function hostPort(text: string, what: string): { host: string; port?: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9\-.]+)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m) throw new SipParseError(`bad host in ${what}: ${JSON.stringify(text)}`);
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new SipParseError(`port ${port} out of range in ${what}`);
  return port === undefined ? { host: m[1]!.toLowerCase() } : { host: m[1]!.toLowerCase(), port };
}

/** `sip:alice:secret@atlanta.lab:5060;transport=udp?subject=x` */
export function parseUri(text: string): SipUri {
  const m = /^(sips?):(?:([^@;?]+)@)?([^;?]+)((?:;[^?]*)?)(?:\?(.*))?$/i.exec(text.trim());
  if (!m) throw new SipParseError(`not a SIP URI: ${JSON.stringify(text)}`);
  const userinfo = m[2];
  const user = userinfo === undefined ? undefined : decodeURIComponent(userinfo.split(':')[0]!);
  const uri: SipUri = { scheme: m[1]!.toLowerCase() as 'sip' | 'sips', ...hostPort(m[3]!, `URI ${text}`), params: parseParams(m[4] ?? '') };
  if (user !== undefined && user !== '') uri.user = user;
  if (m[5] !== undefined) uri.headers = m[5];
  return uri;
}

export function formatUri(u: SipUri): string {
  const user = u.user === undefined ? '' : `${u.user}@`;
  const port = u.port === undefined ? '' : `:${u.port}`;
  return `${u.scheme}:${user}${u.host}${port}${formatParams(u.params)}${u.headers === undefined ? '' : `?${u.headers}`}`;
}

/**
 * `"Alice" <sip:alice@atlanta.lab>;tag=1928` or the bare `sip:alice@atlanta.lab;tag=1928`,
 * where (§20.10) parameters after a bare URI belong to the header, not to the URI.
 */
export function parseNameAddr(text: string): NameAddr {
  const t = text.trim();
  const open = t.indexOf('<');
  if (open >= 0) {
    const close = t.indexOf('>', open);
    if (close < 0) throw new SipParseError(`unclosed "<" in ${JSON.stringify(text)}`);
    const display = t.slice(0, open).trim().replace(/^"(.*)"$/, '$1');
    const na: NameAddr = { uri: parseUri(t.slice(open + 1, close)), params: parseParams(t.slice(close + 1)) };
    if (display !== '') na.display = display;
    return na;
  }
  const semi = t.indexOf(';');
  return { uri: parseUri(semi < 0 ? t : t.slice(0, semi)), params: parseParams(semi < 0 ? '' : t.slice(semi)) };
}

export function formatNameAddr(na: NameAddr): string {
  const display = na.display === undefined ? '' : `"${na.display}" `;
  return `${display}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}

/** `SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776;received=10.0.0.9;rport=5070` */
export function parseVia(text: string): Via {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;\s]+)\s*(.*)$/.exec(text.trim());
  if (!m) throw new SipParseError(`bad Via ${JSON.stringify(text)}; expected "SIP/2.0/UDP host[:port];branch=…"`);
  return { transport: m[1]!.toUpperCase(), ...hostPort(m[2]!, `Via ${text}`), params: parseParams(m[3] ?? '') };
}

export function formatVia(v: Via): string {
  return `SIP/2.0/${v.transport} ${v.host}${v.port === undefined ? '' : `:${v.port}`}${formatParams(v.params)}`;
}

export function parseCSeq(text: string): { seq: number; method: string } {
  const m = /^\s*(\d+)\s+([A-Za-z]+)\s*$/.exec(text);
  if (!m) throw new SipParseError(`bad CSeq ${JSON.stringify(text)}; expected "NUMBER METHOD"`);
  return { seq: Number(m[1]), method: m[2]!.toUpperCase() };
}

/** The address-of-record of a URI: scheme, user and host, no port or parameters (§10.3 step 5). */
export function aorOf(u: SipUri): string {
  return `${u.scheme}:${u.user === undefined ? '' : `${u.user.toLowerCase()}@`}${u.host}`;
}

export const tagOf = (nameAddrText: string | undefined): string | undefined =>
  nameAddrText === undefined ? undefined : (parseNameAddr(nameAddrText).params.tag ?? undefined);
