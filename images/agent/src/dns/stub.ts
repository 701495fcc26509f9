// A stub resolver's query (what gethostbyname() does underneath): ask one server, retry over
// TCP when the answer was truncated, and read the resolver's trace when it sent one.
import type { DecodedPacket, Question, RecordType } from 'dns-packet';
import { exchange, type Endpoint } from './client.js';
import { FLAG, hasFlag, rcodeName, rcodeOf } from './message.js';
import { readTrace, traceRequest, type LookupTrace } from './trace.js';
import { randomId } from './upstream.js';

export interface StubOptions {
  rd: boolean;
  /** For the whole lookup, TCP retry included. */
  timeoutMs: number;
  /** Ask the resolver for the per-lookup trace (EDNS0 option 65001). */
  trace: boolean;
  random?: () => number;
}

export interface StubAnswer {
  rcode: string;
  response: DecodedPacket;
  trace?: LookupTrace;
  /** The answer came over TCP after a truncated UDP response. */
  tcp: boolean;
}

/** Rejects with DnsTimeoutError when no answer came within `timeoutMs`. */
export async function stubQuery(to: Endpoint, name: string, type: string, o: StubOptions): Promise<StubAnswer> {
  const random = o.random ?? Math.random;
  const question: Question = { name, type: type.toUpperCase() as RecordType, class: 'IN' };
  const deadline = Date.now() + o.timeoutMs;
  const send = (tcp: boolean) =>
    exchange(to, question, {
      id: randomId(random),
      rd: o.rd,
      tcp,
      timeoutMs: Math.max(1, deadline - Date.now()),
      ednsOptions: o.trace ? [traceRequest()] : [],
      random,
    });
  const udp = await send(false);
  const truncated = hasFlag(udp, FLAG.TC);
  const response = truncated ? await send(true) : udp;
  // The truncated UDP response still carries the trace of the lookup that did the work; the
  // TCP retry is a second lookup the resolver answers from its cache.
  return { rcode: rcodeName(rcodeOf(response)), response, trace: readTrace(udp) ?? readTrace(response), tcp: truncated };
}
