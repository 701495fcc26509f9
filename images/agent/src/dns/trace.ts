// The per-lookup trace, carried over the wire in an EDNS0 option from the local/experimental
// range (RFC 6891 §9: 65001–65534). A stub that puts an (empty) option 65001 in its query gets
// back, in the same option, what its lookup cost the resolver. Without the option nothing changes,
// so dig and other resolvers' clients see ordinary responses.
import type { Packet } from 'dns-packet';
import { ednsOf, type Edns, type EdnsOption } from './message.js';

export const TRACE_OPTION = 65001;

export type CacheOutcome = 'hit' | 'miss' | 'negative-hit';

export interface LookupTrace {
  cache: CacheOutcome;
  /** Upstream queries sent for this lookup (retries and TCP retries included). */
  queries: number;
  /** One `name@address` per upstream query, in the order they were sent. */
  servers: string[];
  /** Time the resolver spent on the lookup. */
  ms: number;
}

export const wantsTrace = (edns: Edns | undefined): boolean => edns?.options.some((o) => o.code === TRACE_OPTION) ?? false;

/** The (empty) option a stub adds to its query to ask for a trace. */
export const traceRequest = (): EdnsOption => ({ code: TRACE_OPTION, data: Buffer.alloc(0) });

export function encodeTrace(trace: LookupTrace): EdnsOption {
  return { code: TRACE_OPTION, data: Buffer.from(JSON.stringify(trace), 'utf8') };
}

/** The trace in a response, or undefined when there is none (or it is not a trace we understand). */
export function readTrace(response: Packet): LookupTrace | undefined {
  const option = ednsOf(response)?.options.find((o) => o.code === TRACE_OPTION);
  if (!option || option.data.length === 0) return undefined;
  try {
    const v = JSON.parse(option.data.toString('utf8')) as Partial<LookupTrace>;
    const cacheOk = v.cache === 'hit' || v.cache === 'miss' || v.cache === 'negative-hit';
    if (!cacheOk || typeof v.queries !== 'number' || typeof v.ms !== 'number' || !Array.isArray(v.servers)) return undefined;
    return { cache: v.cache as CacheOutcome, queries: v.queries, servers: v.servers.map(String), ms: v.ms };
  } catch {
    return undefined;
  }
}
