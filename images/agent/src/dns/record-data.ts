// Resource records as the orchestrator writes them (`{name, type, ttl, data}` with `data` in
// dns-packet's shape) checked, put in canonical form and turned into dns-packet answers.
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { array, DnsConfigError, integer, object, show, string } from './checks.js';
import { nameProblem, normalizeName } from './names.js';

export interface DnsRecord {
  name: string;
  type: string;
  ttl: number;
  data: unknown;
  /**
   * Answer with this record only to clients in these IPv4 subnets (CIDR): a CDN's request routing,
   * where the asking resolver's address picks the replica. Absent: every client.
   */
  clients?: string[];
}

const MAX_TTL = 0x7fffffff; // RFC 2181 §8
const U16 = 0xffff;
const U32 = 0xffffffff;

export function domainName(v: unknown, path: string, wildcardAllowed = false): string {
  const name = normalizeName(string(v, path));
  const problem = nameProblem(name);
  if (problem) throw new DnsConfigError(path, `"${name}" ${problem}`);
  const labels = name.split('.');
  if (labels.slice(wildcardAllowed ? 1 : 0).includes('*')) throw new DnsConfigError(path, `"${name}": '*' is only allowed as the first label of an owner name`);
  return name;
}

/** A record in canonical form: lower-case names, SOA fields filled in, TXT as a list of strings. */
export function parseRecord(raw: unknown, path: string): DnsRecord {
  const o = object(raw, path, ['name', 'type', 'ttl', 'data', 'clients']);
  const name = domainName(o.name, `${path}.name`, true);
  const type = string(o.type, `${path}.type`).toUpperCase();
  if (!isKnownType(type) || type === 'OPT') throw new DnsConfigError(`${path}.type`, `unknown record type "${type}"`);
  const ttl = integer(o.ttl, `${path}.ttl`, 0, MAX_TTL);
  const record: DnsRecord = { name, type, ttl, data: parseData(type, o.data, `${path}.data`) };
  if (o.clients !== undefined) record.clients = array(o.clients, `${path}.clients`).map((c, i) => cidr(c, `${path}.clients[${i}]`));
  checkEncodable(record, path);
  return record;
}

function parseData(type: string, v: unknown, path: string): unknown {
  switch (type) {
    case 'A':
      if (typeof v !== 'string' || !net.isIPv4(v)) throw new DnsConfigError(path, `expected an IPv4 address for an A record, found ${show(v)}`);
      return v;
    case 'AAAA':
      if (typeof v !== 'string' || !net.isIPv6(v)) throw new DnsConfigError(path, `expected an IPv6 address for an AAAA record, found ${show(v)}`);
      return v;
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      return domainName(v, path);
    case 'MX': {
      const o = object(v, path, ['preference', 'exchange']);
      return { preference: integer(o.preference ?? 10, `${path}.preference`, 0, U16), exchange: domainName(o.exchange, `${path}.exchange`) };
    }
    case 'SRV': {
      const o = object(v, path, ['priority', 'weight', 'port', 'target']);
      return {
        priority: integer(o.priority ?? 0, `${path}.priority`, 0, U16),
        weight: integer(o.weight ?? 0, `${path}.weight`, 0, U16),
        port: integer(o.port, `${path}.port`, 0, U16),
        target: domainName(o.target, `${path}.target`),
      };
    }
    case 'SOA': {
      const o = object(v, path, ['mname', 'rname', 'serial', 'refresh', 'retry', 'expire', 'minimum']);
      const field = (key: string, fallback: number) => integer(o[key] ?? fallback, `${path}.${key}`, 0, U32);
      return {
        mname: domainName(o.mname, `${path}.mname`),
        rname: domainName(o.rname, `${path}.rname`),
        serial: field('serial', 1),
        refresh: field('refresh', 7200),
        retry: field('retry', 3600),
        expire: field('expire', 1209600),
        minimum: field('minimum', 300),
      };
    }
    case 'TXT': {
      const strings = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;
      if (!strings) throw new DnsConfigError(path, `expected a string or a list of strings for a TXT record, found ${show(v)}`);
      const long = strings.find((s) => Buffer.byteLength(s) > 255);
      if (long !== undefined) throw new DnsConfigError(path, `TXT strings are at most 255 bytes each; split "${long.slice(0, 20)}…" into several`);
      return strings;
    }
    case 'DNSKEY': {
      const o = object(v, path, ['flags', 'algorithm', 'key']);
      return { flags: integer(o.flags, `${path}.flags`, 0, U16), algorithm: integer(o.algorithm, `${path}.algorithm`, 0, 255), key: base64(o.key, `${path}.key`) };
    }
    case 'DS': {
      const o = object(v, path, ['keyTag', 'algorithm', 'digestType', 'digest']);
      return { keyTag: integer(o.keyTag, `${path}.keyTag`, 0, U16), algorithm: integer(o.algorithm, `${path}.algorithm`, 0, 255), digestType: integer(o.digestType, `${path}.digestType`, 0, 255), digest: base64(o.digest, `${path}.digest`) };
    }
    case 'RRSIG': {
      const o = object(v, path, ['typeCovered', 'algorithm', 'labels', 'originalTTL', 'expiration', 'inception', 'keyTag', 'signersName', 'signature']);
      const u32 = (k: string) => integer(o[k], `${path}.${k}`, 0, U32);
      return {
        typeCovered: string(o.typeCovered, `${path}.typeCovered`), algorithm: integer(o.algorithm, `${path}.algorithm`, 0, 255), labels: integer(o.labels, `${path}.labels`, 0, 127),
        originalTTL: u32('originalTTL'), expiration: u32('expiration'), inception: u32('inception'), keyTag: integer(o.keyTag, `${path}.keyTag`, 0, U16),
        signersName: domainName(o.signersName, `${path}.signersName`), signature: base64(o.signature, `${path}.signature`),
      };
    }
    case 'NSEC': {
      const o = object(v, path, ['nextDomain', 'rrtypes']);
      return { nextDomain: domainName(o.nextDomain, `${path}.nextDomain`, true), rrtypes: array(o.rrtypes, `${path}.rrtypes`).map((t, i) => string(t, `${path}.rrtypes[${i}]`)) };
    }
    default:
      return v;
  }
}

/** Key, digest and signature bytes travel as base64 in the JSON config. */
function base64(v: unknown, path: string): Buffer {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) throw new DnsConfigError(path, `expected base64 bytes, found ${show(v)}`);
  return Buffer.from(v, 'base64');
}

/** dns-packet is the judge of the rest: a record it cannot encode is a config error, not a crash at query time. */
function checkEncodable(record: DnsRecord, path: string): void {
  let decodedType: string | undefined;
  try {
    const bytes = dnsPacket.encode({ type: 'response', answers: [toAnswer(record)] });
    decodedType = dnsPacket.decode(bytes).answers?.[0]?.type;
  } catch (e) {
    throw new DnsConfigError(path, `cannot encode this ${record.type} record: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (decodedType !== record.type) throw new DnsConfigError(`${path}.type`, `unknown record type "${record.type}"`);
}

export function toAnswer(record: DnsRecord): Answer {
  return { name: record.name, type: record.type, class: 'IN', ttl: record.ttl, data: record.data } as unknown as Answer;
}

/** The domain name a record's data points at, when it points at one (for additional-section processing). */
export function targetOf(record: DnsRecord): string | undefined {
  const d = record.data as Record<string, unknown>;
  if (record.type === 'NS' || record.type === 'CNAME') return record.data as string;
  if (record.type === 'MX') return d.exchange as string;
  if (record.type === 'SRV') return d.target as string;
  return undefined;
}

/** Whether dns-packet knows `type` (it silently encodes unknown names as type 0). */
export function isKnownType(type: string): boolean {
  try {
    const bytes = dnsPacket.encode({ type: 'query', questions: [{ name: 'x', type: type as 'A' }] });
    return dnsPacket.decode(bytes).questions?.[0]?.type === type;
  } catch {
    return false;
  }
}

/** An IPv4 subnet in CIDR form (`10.213.1.0/24`; a single address is `/32`). */
function cidr(v: unknown, path: string): string {
  const m = typeof v === 'string' ? /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(v) : null;
  if (!m || !net.isIPv4(m[1]!) || Number(m[2]) > 32) throw new DnsConfigError(path, `expected an IPv4 subnet such as 10.213.1.0/24, found ${show(v)}`);
  return v as string;
}

/** Whether an IPv4 address lies in a CIDR subnet. */
export function inSubnet(address: string, subnet: string): boolean {
  const [base = '', bits = '32'] = subnet.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, octet) => (n << 8) + Number(octet), 0) >>> 0;
  const prefix = Number(bits);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const v4 = address.replace(/^::ffff:/i, ''); // an IPv4 client as a dual-stack socket reports it
  return net.isIPv4(v4) && ((toInt(v4) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
}
