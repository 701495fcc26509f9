// SIP messages on the wire (RFC 3261 §7): start line, headers (folded lines joined, compact
// forms expanded, lists split), an empty line and a body whose length Content-Length gives.
import { canonicalName, Headers, isList, splitList } from './headers.js';

export interface SipRequest { kind: 'request'; method: string; uri: string; headers: Headers; body: string }
export interface SipResponse { kind: 'response'; status: number; reason: string; headers: Headers; body: string }
export type SipMessage = SipRequest | SipResponse;

export class SipParseError extends Error {}

const VERSION = 'SIP/2.0';
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** Parses one datagram (or one framed stream message). Throws SipParseError saying what is wrong. */
export function parseMessage(data: Buffer | string): SipMessage {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  // RFC 3261 §7.5: CRLFs before the start line are keep-alives, not part of the message.
  let offset = 0;
  while (bytes[offset] === 0x0d || bytes[offset] === 0x0a) offset++;
  const end = headerEnd(bytes, offset);
  if (end === undefined) throw new SipParseError('no empty line after the headers (a message needs CRLF CRLF before its body)');
  const lines = bytes.subarray(offset, end.headers).toString('utf8').replace(/\r$/, '').split(/\r?\n/);
  const startLine = lines.shift() ?? '';
  const headers = parseHeaderLines(lines);
  const body = bodyOf(bytes.subarray(end.body), headers);
  if (startLine.startsWith(`${VERSION} `)) {
    const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(startLine);
    if (!m) throw new SipParseError(`bad status line ${JSON.stringify(startLine)}; expected "SIP/2.0 CODE Reason"`);
    const status = Number(m[1]);
    if (status < 100 || status > 699) throw new SipParseError(`status code ${status} is outside 100-699`);
    return { kind: 'response', status, reason: m[2] ?? '', headers, body };
  }
  const parts = startLine.split(' ');
  const [method = '', uri = '', version = ''] = parts;
  if (parts.length !== 3 || !TOKEN.test(method) || uri === '') throw new SipParseError(`bad request line ${JSON.stringify(startLine)}; expected "METHOD URI SIP/2.0"`);
  if (version !== VERSION) throw new SipParseError(`unsupported version ${JSON.stringify(version)}; only ${VERSION}`);
  return { kind: 'request', method, uri, headers, body };
}

function headerEnd(bytes: Buffer, from: number): { headers: number; body: number } | undefined {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    // "\n\n" or "\n\r\n": the empty line (RFC 3261 asks for CRLF; bare LF is accepted).
    if (bytes[i + 1] === 0x0a) return { headers: i, body: i + 2 };
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return { headers: i, body: i + 3 };
  }
  return undefined;
}

function parseHeaderLines(lines: string[]): Headers {
  // Unfold first: a line that starts with whitespace continues the one before (§7.3.1).
  const unfolded: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      if (unfolded.length === 0) throw new SipParseError(`the first header line starts with whitespace: ${JSON.stringify(line)}`);
      unfolded[unfolded.length - 1] = `${unfolded[unfolded.length - 1]!.trimEnd()} ${line.trim()}`;
    } else if (line !== '') {
      unfolded.push(line);
    }
  }
  const headers = new Headers();
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`header line without a name and a colon: ${JSON.stringify(line)}`);
    const name = canonicalName(line.slice(0, colon));
    const value = line.slice(colon + 1).trim();
    // `Contact: *` is not a list; everything else in LISTS is.
    const values = isList(name) && value !== '*' ? splitList(value) : [value];
    for (const v of values) headers.append(name, v);
  }
  return headers;
}

function bodyOf(rest: Buffer, headers: Headers): string {
  const declared = headers.get('Content-Length');
  if (declared === undefined) return rest.toString('utf8'); // UDP: the datagram ends the body (§18.3)
  if (!/^\d+$/.test(declared.trim())) throw new SipParseError(`Content-Length must be a whole number, found ${JSON.stringify(declared)}`);
  const length = Number(declared);
  if (length > rest.length) throw new SipParseError(`Content-Length says ${length} bytes but only ${rest.length} follow the headers`);
  // Bytes past Content-Length are discarded on datagrams (§18.3).
  return rest.subarray(0, length).toString('utf8');
}

/** One header line per value, Content-Length always written and always right. */
export function serializeMessage(m: SipMessage): Buffer {
  const start = m.kind === 'request' ? `${m.method} ${m.uri} ${VERSION}` : `${VERSION} ${m.status} ${m.reason}`;
  const lines = [start];
  for (const h of m.headers.list) if (h.name !== 'Content-Length') lines.push(`${h.name}: ${h.value}`);
  lines.push(`Content-Length: ${Buffer.byteLength(m.body, 'utf8')}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${m.body}`, 'utf8');
}

/** The reason phrases this agent sends. */
export const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 183: 'Session Progress', 200: 'OK', 400: 'Bad Request', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 423: 'Interval Too Brief',
  480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist', 483: 'Too Many Hops',
  486: 'Busy Here', 487: 'Request Terminated', 488: 'Not Acceptable Here', 500: 'Server Internal Error',
  501: 'Not Implemented', 503: 'Service Unavailable', 603: 'Decline',
};

/**
 * A response to `request` (§8.2.6): Via, From, To, Call-ID and CSeq copied (Record-Route too,
 * which only matters for 2xx and 18x), a To tag added when the caller gives one.
 */
export function responseTo(request: SipRequest, status: number, options: { toTag?: string; reason?: string; body?: string } = {}): SipResponse {
  const headers = new Headers();
  for (const h of request.headers.list) {
    if (['Via', 'From', 'To', 'Call-ID', 'CSeq'].includes(h.name) || (h.name === 'Record-Route' && status > 100 && status < 300)) headers.append(h.name, h.value);
  }
  const to = headers.get('To');
  if (options.toTag && to !== undefined && !/;\s*tag=/i.test(to)) headers.set('To', `${to};tag=${options.toTag}`);
  return { kind: 'response', status, reason: options.reason ?? REASONS[status] ?? 'Unknown', headers, body: options.body ?? '' };
}

/** A short description for logs: `INVITE sip:bob@b.lab` or `180 Ringing (INVITE)`. */
export function describe(m: SipMessage): string {
  return m.kind === 'request' ? `${m.method} ${m.uri}` : `${m.status} ${m.reason} (${m.headers.get('CSeq') ?? '?'})`;
}

