// SIP header names and lists (RFC 3261 §7.3): compact forms, one canonical spelling per name,
// and comma-separated lists split into one entry per value, so the rest of the agent only ever
// sees `{name, value}` pairs in canonical spelling, one value each.

export interface SipHeader { name: string; value: string }

/** RFC 3261 §7.3.3 and the later RFCs' compact forms (RFC 3515, 3265, 3841, 4028, 4474). */
const COMPACT: Record<string, string> = {
  a: 'Accept-Contact', b: 'Referred-By', c: 'Content-Type', d: 'Request-Disposition', e: 'Content-Encoding',
  f: 'From', i: 'Call-ID', j: 'Reject-Contact', k: 'Supported', l: 'Content-Length', m: 'Contact',
  n: 'Identity-Info', o: 'Event', r: 'Refer-To', s: 'Subject', t: 'To', u: 'Allow-Events', v: 'Via',
  x: 'Session-Expires', y: 'Identity',
};

/** Names whose usual capitalisation is not "Word-Word". */
const SPECIAL: Record<string, string> = {
  'call-id': 'Call-ID', cseq: 'CSeq', 'www-authenticate': 'WWW-Authenticate', 'mime-version': 'MIME-Version',
  rack: 'RAck', rseq: 'RSeq', 'sip-etag': 'SIP-ETag', 'sip-if-match': 'SIP-If-Match',
};

/**
 * Headers whose value is a comma-separated list (`Via: a, b` is two Vias). Others — Date,
 * WWW-Authenticate, Subject — may hold commas that are not separators, so they stay whole.
 */
const LISTS = new Set(['Via', 'Route', 'Record-Route', 'Contact', 'Allow', 'Supported', 'Require', 'Proxy-Require', 'Unsupported', 'Accept', 'Accept-Encoding', 'Accept-Language', 'Content-Encoding', 'Allow-Events']);

export function canonicalName(name: string): string {
  const lower = name.trim().toLowerCase();
  const compact = COMPACT[lower];
  if (compact) return compact;
  return SPECIAL[lower] ?? lower.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

export const isList = (canonical: string): boolean => LISTS.has(canonical);

/** Splits at commas outside double quotes and angle brackets (`"Doe, J" <sip:j@x>, <sip:k@y>`). */
export function splitList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && c === ',') {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/** Reading and editing a header list by (any spelling of) a name. */
export class Headers {
  constructor(readonly list: SipHeader[] = []) {}

  get(name: string): string | undefined {
    const n = canonicalName(name);
    return this.list.find((h) => h.name === n)?.value;
  }

  all(name: string): string[] {
    const n = canonicalName(name);
    return this.list.filter((h) => h.name === n).map((h) => h.value);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Replaces every entry of `name` by one (at the first one's place, or at the end). */
  set(name: string, value: string): void {
    const n = canonicalName(name);
    const at = this.list.findIndex((h) => h.name === n);
    this.remove(n);
    this.list.splice(at < 0 ? this.list.length : at, 0, { name: n, value });
  }

  /** Adds an entry before the first of its name (a new top Via / Record-Route), or at the end. */
  prepend(name: string, value: string): void {
    const n = canonicalName(name);
    const at = this.list.findIndex((h) => h.name === n);
    this.list.splice(at < 0 ? this.list.length : at, 0, { name: n, value });
  }

  append(name: string, value: string): void {
    this.list.push({ name: canonicalName(name), value });
  }

  /** Removes the first entry of `name`; returns its value. */
  shift(name: string): string | undefined {
    const n = canonicalName(name);
    const at = this.list.findIndex((h) => h.name === n);
    if (at < 0) return undefined;
    return this.list.splice(at, 1)[0]?.value;
  }

  remove(name: string): void {
    const n = canonicalName(name);
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]?.name === n) this.list.splice(i, 1);
  }

  clone(): Headers {
    return new Headers(this.list.map((h) => ({ ...h })));
  }
}
