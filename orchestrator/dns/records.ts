// Record values as written in a topology or a master file -> the data the DNS agents serve
// (dns-packet's shape per type). A values may name a lab node: its address is filled in at
// plan time, once addresses are known.
import { isIPv4, isIPv6 } from 'node:net';
import { absoluteName } from './names.js';

/** Data as the agent takes it, or a reference to a node whose address is the A record. */
export type RecordValue = { data: unknown } | { node: string };

export interface SoaData { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }

const LABEL = /^[a-z0-9_*]([a-z0-9_-]*[a-z0-9_])?$/;
const isName = (name: string) => name === '.' || name.replace(/\.$/, '').split('.').every((l) => LABEL.test(l));
const uint = (text: string | undefined, max: number) => (text !== undefined && /^\d+$/.test(text) && Number(text) <= max ? Number(text) : undefined);

export class RecordValueError extends Error {}

/** Parses one value of `type` at zone `origin`; `nodes` are the lab's node names (for A by name). */
export function recordValue(type: string, raw: string | number, origin: string, nodes: readonly string[]): RecordValue {
  const text = String(raw).trim();
  const name = (t: string, what: string) => {
    if (!isName(t.toLowerCase())) throw new RecordValueError(`${type} needs ${what}, a domain name; found "${t}"`);
    return absoluteName(t, origin);
  };
  switch (type) {
    case 'A':
      if (isIPv4(text)) return { data: text };
      if (nodes.includes(text)) return { node: text };
      throw new RecordValueError(`A needs an IPv4 address or the name of a lab node; found "${text}" (nodes: [${nodes.join(', ')}])`);
    case 'AAAA':
      if (isIPv6(text)) return { data: text };
      throw new RecordValueError(`AAAA needs an IPv6 address; found "${text}"`);
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return { data: name(text, 'a target') };
    case 'MX': {
      const [preference, exchange, ...rest] = text.split(/\s+/);
      const p = uint(preference, 65535);
      if (p === undefined || exchange === undefined || rest.length > 0) throw new RecordValueError(`MX needs "PREFERENCE EXCHANGE", e.g. "10 mail"; found "${text}"`);
      return { data: { preference: p, exchange: name(exchange, 'an exchange') } };
    }
    case 'SRV': {
      const [priority, weight, port, target, ...rest] = text.split(/\s+/);
      const [pr, w, po] = [uint(priority, 65535), uint(weight, 65535), uint(port, 65535)];
      if (pr === undefined || w === undefined || po === undefined || target === undefined || rest.length > 0) throw new RecordValueError(`SRV needs "PRIORITY WEIGHT PORT TARGET", e.g. "0 5 5060 sip"; found "${text}"`);
      return { data: { priority: pr, weight: w, port: po, target: name(target, 'a target') } };
    }
    case 'TXT':
      if (Buffer.byteLength(text) > 255) throw new RecordValueError(`a TXT string holds at most 255 bytes; this one has ${Buffer.byteLength(text)} (split it into a list)`);
      return { data: String(raw) };
    default:
      throw new RecordValueError(`record type ${type} is not supported here; use one of A, AAAA, CNAME, MX, TXT, PTR, SRV`);
  }
}
