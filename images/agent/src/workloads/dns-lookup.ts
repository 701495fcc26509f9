import { readFileSync } from 'node:fs';
import net from 'node:net';
import { log, record } from '../common/records.js';
import { describeLookup, planLookups, type LookupPlan } from '../dns/lookup-plan.js';
import { isKnownType } from '../dns/record-data.js';
import { stubQuery } from '../dns/stub.js';
import { DnsTimeoutError } from '../dns/upstream.js';
import { boolArg, numberArg, type Workload } from './workload.js';

// Name lookups through a resolver, as a host's stub resolver makes them, one at a time.
// Arguments: names (a name or a list) or zipf ({names, s: 1.0}: `count` draws, seeded by
// `seed`), count (repetitions of the list, default 1; Zipf draws, default the number of names),
// server (the resolver: an address or a lab node's name; default the first nameserver of
// /etc/resolv.conf), port (53), type (A),
// interval (ms between lookups, 0), timeout (ms per lookup, 5000), rd (true).
// Records per lookup: dns_latency (ms; detail `rcode=… answer=… [cache=… queries=… servers=…]`),
// and, when the resolver sent its trace (EDNS0 option 65001), dns_queries and dns_cache_hit.
// A lookup without an answer is a dns_latency row with rcode=TIMEOUT (value: the timeout).

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const round = (ms: number) => Math.round(ms * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Docker's embedded DNS: it forwards to the host's resolvers, outside the lab (DESIGN.md contract 2). */
const DOCKER_DNS = '127.0.0.11';

export const dnsLookup: Workload = {
  name: 'dns-lookup',
  async run(args) {
    const plan = lookupPlan(args);
    const seed = numberArg(args, 'seed', 1);
    const server = serverArg(args);
    const port = numberArg(args, 'port', 53);
    const type = typeof args.type === 'string' ? args.type.toUpperCase() : args.type === undefined ? 'A' : '';
    if (!isKnownType(type)) throw new Error(`argument "type" must be a record type such as A, AAAA, MX, TXT, NS, found ${JSON.stringify(args.type)}`);
    const intervalMs = numberArg(args, 'interval', 0);
    const timeoutMs = numberArg(args, 'timeout', 5000);
    const rd = boolArg(args, 'rd', true);
    if (timeoutMs <= 0 || intervalMs < 0) throw new Error('dns-lookup needs timeout > 0 and interval >= 0');
    const names = planLookups(plan, seed);
    log(`dns-lookup: ${names.length} lookups of type ${type} via ${server}:${port} (rd=${rd})`);
    let seq = 0;
    for (const name of names) {
      seq++;
      const started = now();
      try {
        const r = await stubQuery({ address: server, port }, name, type, { rd, timeoutMs, trace: true });
        const detail = describeLookup(r.rcode, r.response.answers ?? [], type, r.trace) + (r.tcp ? ' proto=tcp' : '');
        record('dns_latency', round(now() - started), 'ms', { peer: name, seq, detail });
        if (r.trace) {
          record('dns_queries', r.trace.queries, 'queries', { peer: name, seq });
          record('dns_cache_hit', r.trace.cache === 'miss' ? 0 : 1, 'bool', { peer: name, seq, detail: `cache=${r.trace.cache}` });
        }
      } catch (e) {
        const timedOut = e instanceof DnsTimeoutError;
        const message = e instanceof Error ? e.message : String(e);
        log(`dns-lookup: ${name}: ${message}`);
        const detail = timedOut ? 'rcode=TIMEOUT' : `rcode=ERROR error=${message.replace(/\s+/g, '_')}`;
        record('dns_latency', timedOut ? timeoutMs : round(now() - started), 'ms', { peer: name, seq, detail });
      }
      if (intervalMs > 0 && seq < names.length) await sleep(intervalMs);
    }
  },
};

function nameList(v: unknown, key: string): string[] {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
  if (!list || list.length === 0 || !list.every((n) => typeof n === 'string' && n !== '')) {
    throw new Error(`argument "${key}" must be a name or a non-empty list of names, found ${JSON.stringify(v)}`);
  }
  return list as string[];
}

function lookupPlan(args: Record<string, unknown>): LookupPlan {
  if ((args.names === undefined) === (args.zipf === undefined)) throw new Error('dns-lookup needs exactly one of "names" (a name or a list) and "zipf" ({names, s})');
  if (args.names !== undefined) {
    const count = numberArg(args, 'count', 1);
    if (!Number.isInteger(count) || count < 1) throw new Error(`argument "count" must be a whole number >= 1, found ${JSON.stringify(args.count)}`);
    return { names: nameList(args.names, 'names'), count };
  }
  const z = args.zipf;
  if (typeof z !== 'object' || z === null || Array.isArray(z)) throw new Error(`argument "zipf" must be {names: [...], s: 1.0}, found ${JSON.stringify(z)}`);
  const zipf = z as Record<string, unknown>;
  const names = nameList(zipf.names, 'zipf.names');
  const s = numberArg(zipf, 's', 1);
  const count = numberArg(args, 'count', names.length);
  if (!Number.isInteger(count) || count < 1 || s < 0) throw new Error('dns-lookup with zipf needs a whole count >= 1 and s >= 0');
  return { zipf: { names, s }, count };
}


/** The address /etc/hosts gives `name`, if any. */
function hostsAddress(name: string): string | undefined {
  let text = '';
  try {
    text = readFileSync('/etc/hosts', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (address && net.isIPv4(address) && names.includes(name)) return address;
  }
  return undefined;
}

function serverArg(args: Record<string, unknown>): string {
  if (args.server !== undefined) {
    if (typeof args.server === 'string' && net.isIPv4(args.server)) return args.server;
    // A lab node's name: /etc/hosts has every node (not DNS: the resolver is what is measured).
    const address = typeof args.server === 'string' ? hostsAddress(args.server) : undefined;
    if (address === undefined) throw new Error(`argument "server" must be an IPv4 address or the name of a lab node, found ${JSON.stringify(args.server)}`);
    return address;
  }
  let text = '';
  try {
    text = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // handled below: no default server
  }
  const first = /^\s*nameserver\s+(\S+)/m.exec(text)?.[1];
  if (!first || !net.isIPv4(first)) throw new Error('argument "server" is missing and /etc/resolv.conf names no IPv4 nameserver; pass the resolver\'s address as "server"');
  if (first === DOCKER_DNS) throw new Error(`/etc/resolv.conf points at Docker's embedded DNS (${DOCKER_DNS}), which leaves the lab; pass the lab resolver's address as "server"`);
  return first;
}
