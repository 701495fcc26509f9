// DNS messages over dns-packet: header bits, rcodes, EDNS0 (RFC 6891), query validation and
// response encoding with truncation to the requester's UDP payload size. Pure: bytes in, bytes out.
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet, PacketOpt, Question } from 'dns-packet';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export const FLAG = { AA: 1 << 10, TC: 1 << 9, RD: 1 << 8, RA: 1 << 7, AD: 1 << 5, CD: 1 << 4 } as const;

/** The UDP payload size we advertise and accept at most (the DNS flag day 2020 value: no IP fragmentation). */
export const OUR_UDP_PAYLOAD = 1232;
/** RFC 1035 §4.2.1: without EDNS0 a UDP message carries at most 512 bytes. */
export const CLASSIC_UDP_PAYLOAD = 512;
const OPCODE_QUERY = 0;
/** RFC 6891 §9: extended RCODE 16, carried as 1 in the OPT record's upper 8 bits. */
const BADVERS_UPPER = 1;

export const rcodeOf = (p: Packet): number => (p.flags ?? 0) & 0xf;
export const rcodeName = (rcode: number): string => RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
export const opcodeOf = (p: Packet): number => ((p.flags ?? 0) >> 11) & 0xf;
export const hasFlag = (p: Packet, flag: number): boolean => ((p.flags ?? 0) & flag) !== 0;

export interface EdnsOption { code: number; data: Buffer }
export interface Edns { payloadSize: number; version: number; options: EdnsOption[]; /** DO (RFC 3225): the asker wants DNSSEC records. */ dnssecOk?: boolean }

export function optRecord(p: Packet): OptAnswer | undefined {
  return (p.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT');
}

export function ednsOf(p: Packet): Edns | undefined {
  const opt = optRecord(p);
  if (!opt) return undefined;
  const options = (opt.options ?? []).map((o) => ({ code: Number(o.code), data: o.data ?? Buffer.alloc(0) }));
  return { payloadSize: opt.udpPayloadSize, version: opt.ednsVersion, options, dnssecOk: ((opt.flags ?? 0) & 0x8000) !== 0 || opt.flag_do === true };
}

/** An OPT pseudo-record carrying our payload size and the given options (dns-packet's types know only a few codes). */
export function makeOpt(options: EdnsOption[] = [], extendedRcode = 0, dnssecOk = false): OptAnswer {
  return {
    name: '.',
    type: 'OPT',
    udpPayloadSize: OUR_UDP_PAYLOAD,
    extendedRcode,
    ednsVersion: 0,
    flags: dnssecOk ? 0x8000 : 0,
    flag_do: dnssecOk,
    options: options as unknown as PacketOpt[],
  };
}

/** `data` of a resource record (the OPT pseudo-record has none). */
export function dataOf(a: Answer): unknown {
  return 'data' in a ? a.data : undefined;
}

/** A query that passed validation: exactly one question, opcode QUERY, EDNS version 0 if any. */
export interface IncomingQuery {
  id: number;
  flags: number;
  question: Question;
  rd: boolean;
  edns?: Edns;
}

export type Parsed =
  | { ok: true; query: IncomingQuery }
  /** `reply` is what to answer (FORMERR, NOTIMP, BADVERS, REFUSED); undefined when the message cannot be answered at all. */
  | { ok: false; reason: string; reply?: Packet; question?: Question; edns?: Edns };

export function parseQuery(raw: Buffer): Parsed {
  if (raw.length < 2) return { ok: false, reason: `message of ${raw.length} bytes has no ID` };
  const id = raw.readUInt16BE(0);
  const headerFlags = raw.length >= 4 ? raw.readUInt16BE(2) : 0;
  if (headerFlags & 0x8000) return { ok: false, reason: 'message is a response, not a query' };
  // What can be read of the header is echoed back even when the rest cannot be decoded.
  const echoed = headerFlags & (0xf << 11 | FLAG.RD);
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(raw);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: `malformed: ${why}`, reply: { id, type: 'response', flags: echoed | RCODE.FORMERR } };
  }
  const opcode = opcodeOf(packet);
  const question = packet.questions?.[0];
  const edns = ednsOf(packet);
  const base = { id, type: 'response' as const, questions: question ? [question] : [] };
  if (opcode !== OPCODE_QUERY) {
    return { ok: false, reason: `opcode ${opcode} is not QUERY`, reply: { ...base, flags: echoed | RCODE.NOTIMP }, question, edns };
  }
  if (packet.questions?.length !== 1 || !question) {
    return { ok: false, reason: `${packet.questions?.length ?? 0} questions (expected 1)`, reply: { id, type: 'response', flags: echoed | RCODE.FORMERR }, edns };
  }
  if (edns && edns.version !== 0) {
    return { ok: false, reason: `EDNS version ${edns.version}`, reply: { ...base, flags: echoed, additionals: [makeOpt([], BADVERS_UPPER)] }, question, edns };
  }
  if (question.class !== 'IN' && question.class !== 'ANY') {
    return { ok: false, reason: `class ${question.class} is not served`, reply: { ...base, flags: echoed | RCODE.REFUSED }, question, edns };
  }
  if (question.type === 'AXFR' || question.type === 'IXFR') {
    return { ok: false, reason: 'zone transfers are not served', reply: { ...base, flags: echoed | RCODE.REFUSED }, question, edns };
  }
  return { ok: true, query: { id, flags: packet.flags ?? 0, question, rd: hasFlag(packet, FLAG.RD), edns } };
}

export interface Sections { answers?: Answer[]; authorities?: Answer[]; additionals?: Answer[] }

/** A response to `query`: ID, question and RD copied, plus the given rcode, flags and sections. */
export function replyTo(query: IncomingQuery, rcode: number, flags: number, sections: Sections = {}): Packet {
  return {
    id: query.id,
    type: 'response',
    flags: (query.flags & FLAG.RD) | flags | rcode,
    questions: [query.question],
    answers: sections.answers ?? [],
    authorities: sections.authorities ?? [],
    additionals: sections.additionals ?? [],
  };
}

/** The most a response to this query may carry: 64 KiB over TCP, the advertised size (at least 512) over UDP. */
export function responseLimit(edns: Edns | undefined, tcp: boolean): number {
  if (tcp) return 65535;
  if (!edns) return CLASSIC_UDP_PAYLOAD;
  return Math.min(Math.max(edns.payloadSize, CLASSIC_UDP_PAYLOAD), 65535);
}

export interface Encoded { bytes: Buffer; truncated: boolean }

/**
 * Encodes a response: an OPT (with `options`) when the query had one. When the whole message
 * exceeds `limit`: if the answer and authority sections fit, as many whole additional RRsets as
 * fit are kept (RFC 2181 §9: missing additional data alone needs no TC, except a referral that
 * keeps none of its glue, RFC 9471); otherwise only the question goes back, with TC=1, and the
 * client retries over TCP.
 */
export function encodeResponse(response: Packet, edns: Edns | undefined, limit: number, options: EdnsOption[] = []): Encoded {
  const additionals = (response.additionals ?? []).filter((a) => a.type !== 'OPT');
  const opt = optRecord(response) ?? (edns ? makeOpt(options, 0, edns.dnssecOk === true) : undefined);
  const withAdditionals = (extra: Answer[]): Packet => ({ ...response, additionals: opt ? [...extra, opt] : extra });
  const full = withAdditionals(additionals);
  if (dnsPacket.encodingLength(full) <= limit) return { bytes: dnsPacket.encode(full), truncated: false };
  let kept = withAdditionals([]);
  if (dnsPacket.encodingLength(kept) > limit) {
    const questionOnly: Packet = { ...kept, flags: (response.flags ?? 0) | FLAG.TC, answers: [], authorities: [] };
    return { bytes: dnsPacket.encode(questionOnly), truncated: true };
  }
  let extra: Answer[] = [];
  for (const rrset of groupRRsets(additionals)) {
    const trial = withAdditionals([...extra, ...rrset]);
    if (dnsPacket.encodingLength(trial) > limit) break;
    extra = [...extra, ...rrset];
    kept = trial;
  }
  const referral = (response.answers ?? []).length === 0 && (response.authorities ?? []).some((a) => a.type === 'NS');
  const isGlue = (a: Answer) => a.type === 'A' || a.type === 'AAAA';
  const truncated = referral && additionals.some(isGlue) && !extra.some(isGlue);
  if (truncated) kept = { ...kept, flags: (response.flags ?? 0) | FLAG.TC };
  return { bytes: dnsPacket.encode(kept), truncated };
}

/** Consecutive records with the same owner, type and class, kept together. */
export function groupRRsets(records: Answer[]): Answer[][] {
  const groups: Answer[][] = [];
  for (const r of records) {
    const last = groups[groups.length - 1];
    const head = last?.[0];
    if (last && head && head.name.toLowerCase() === r.name.toLowerCase() && head.type === r.type) last.push(r);
    else groups.push([r]);
  }
  return groups;
}
