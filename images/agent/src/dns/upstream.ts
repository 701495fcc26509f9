// Asking a set of replicated servers one question (RFC 1035 §7.2, RFC 1536): each server in
// turn, each with a first timeout and retries whose timeout grows by `backoff`, a fresh random
// ID per query, responses accepted only when ID and question match, TC=1 retried over TCP.
// Pure over an injected transport and clock: the sockets live in client.ts.
import type { Packet, Question } from 'dns-packet';
import { FLAG, hasFlag } from './message.js';
import { normalizeName } from './names.js';

export interface NameServer { name: string; address: string }

export interface TransportOptions {
  id: number;
  rd: boolean;
  tcp: boolean;
  /** The transport resolves within this or rejects with DnsTimeoutError. */
  timeoutMs: number;
  /** Set DO (RFC 3225): ask for RRSIGs and NSECs. */
  dnssecOk?: boolean;
  /** 0x20: the question's name was sent in mixed case, and only a response repeating it exactly matches. */
  exactCase?: boolean;
}

/** Sends one query to one server and returns its response (already matched on source address). */
export type Transport = (server: NameServer, question: Question, options: TransportOptions) => Promise<Packet>;

export class DnsTimeoutError extends Error {
  constructor(server: string, timeoutMs: number) {
    super(`no response from ${server} within ${timeoutMs} ms`);
    this.name = 'DnsTimeoutError';
  }
}

export interface RetryPolicy { timeoutMs: number; retries: number; backoff: number }

export interface Clock { now(): number }

export interface UpstreamDeps extends Clock {
  transport: Transport;
  random(): number;
  /** The next query ID (default: random; a predictable sequence when that defence is off). */
  nextId?(): number;
  /** 0x20 (draft-vixie-dnsext-dns0x20): mixes the case of the name sent; absent, names go as asked. */
  mixCase?(name: string): string;
  /** Send DO=1 upstream. */
  dnssecOk?: boolean;
}

export interface Attempt {
  server: NameServer;
  question: Question;
  /** answer / referral / nxdomain / nodata / cname, or what went wrong: timeout, mismatch, truncated, lame, SERVFAIL, error… */
  outcome: string;
  ms: number;
  tcp: boolean;
  timeoutMs: number;
}

/** What a matched response means (`value`), whether it ends the search and how it is logged. */
export interface Verdict<T> { usable: boolean; outcome: string; value: T }

export interface Hooks<T> {
  /** How a matched response counts: usable ends the search, anything else moves on to the next server. */
  judge(response: Packet): Verdict<T>;
  onAttempt(attempt: Attempt): void;
  /** False once the lookup has used up its query budget. */
  mayQuery(): boolean;
}

export const randomId = (random: () => number): number => Math.floor(random() * 0x10000) & 0xffff;

export const serverLabel = (s: NameServer): string => `${s.name}@${s.address}`;

/** A response answers our query only if it carries its ID and repeats its question (name case-insensitively, or exactly with 0x20). */
export function matchesQuery(id: number, question: Question, response: Packet, exactCase = false): boolean {
  const q = response.questions?.[0];
  return (
    response.type === 'response' &&
    response.id === id &&
    response.questions?.length === 1 &&
    q !== undefined &&
    (exactCase ? q.name.replace(/\.$/, '') === question.name.replace(/\.$/, '') : normalizeName(q.name) === normalizeName(question.name)) &&
    q.type === question.type &&
    (q.class ?? 'IN') === (question.class ?? 'IN')
  );
}

export async function queryServers<T>(
  servers: NameServer[],
  question: Question,
  rd: boolean,
  policy: RetryPolicy,
  deps: UpstreamDeps,
  hooks: Hooks<T>,
): Promise<{ server: NameServer; response: Packet; value: T } | undefined> {
  for (const server of servers) {
    let tcp = false;
    for (let attempt = 0; attempt <= policy.retries; ) {
      if (!hooks.mayQuery()) return undefined;
      const timeoutMs = policy.timeoutMs * policy.backoff ** attempt;
      const id = deps.nextId ? deps.nextId() & 0xffff : randomId(deps.random);
      const sent: Question = deps.mixCase ? { ...question, name: deps.mixCase(question.name) } : question;
      const exactCase = deps.mixCase !== undefined;
      const started = deps.now();
      const report = (outcome: string) => hooks.onAttempt({ server, question, outcome, ms: deps.now() - started, tcp, timeoutMs });
      let response: Packet;
      try {
        response = await deps.transport(server, sent, { id, rd, tcp, timeoutMs, dnssecOk: deps.dnssecOk === true, exactCase });
      } catch (e) {
        if (e instanceof DnsTimeoutError) {
          report('timeout');
          attempt++;
          continue;
        }
        report(`error(${e instanceof Error ? e.message : String(e)})`);
        break;
      }
      if (!matchesQuery(id, sent, response, exactCase)) {
        // Possibly spoofed, possibly a late answer to another query: never trusted, and this try counts as failed.
        report('mismatch');
        attempt++;
        continue;
      }
      if (hasFlag(response, FLAG.TC) && !tcp) {
        report('truncated');
        tcp = true;
        continue;
      }
      const verdict = hooks.judge(response);
      report(verdict.outcome);
      if (verdict.usable) return { server, response, value: verdict.value };
      break;
    }
  }
  return undefined;
}
