import { record } from '../common/records.js';
import { walkRing, type Peer } from '../dht/form.js';
import type { LookupResult } from '../dht/messages.js';
import { keyList, lookupOrder, valueFor } from '../dht/plan.js';
import { mulberry32, pick } from '../common/random.js';
import { oneToken, openClient, type DhtClient } from './dht-client.js';
import { numberArg, type Workload } from './workload.js';

// dht-put stores keys, dht-lookup looks them up, each request routed through the DHT.
// Arguments: keys (a count K: key-0 … key-(K−1), default 100; or a list), numeric (keys are
// identifiers themselves, as in the lecture's example), from (self: this node asks, default;
// ring: each request starts at a member chosen at random, seeded — the formulas average over
// where lookups start), interval (ms between requests, 0). dht-lookup also: count (draws from
// the keys, seeded; default each key once), verify (default true: success needs the value
// dht-put stored in this run; false: an owner that answers is enough).
// Records per request: dht_hops (peers the query reached before one knew the owner),
// dht_latency (ms, measured at the node that started it) and dht_success (0/1); dht-put's are
// dht_put_hops, dht_put_latency, dht_put_success. detail: key=… id=… owner=NODE owner_id=… ok=…
// [from=…] [timeouts=…] [replica=…] [error=…].

type Origins = (() => Peer) & { names: boolean };

/** Where each request starts: this node, or a member drawn (seeded) for each request. */
async function origins(client: DhtClient, from: unknown, random: () => number): Promise<Origins> {
  if (from === undefined || from === 'self') return Object.assign(() => client.local, { names: false });
  if (from !== 'ring') throw new Error(`argument "from" must be "self" or "ring", found ${JSON.stringify(from)}`);
  const members = await walkRing(client, client.local);
  client.log(`dht: requests start at the ${members.length} members, chosen at random`);
  return Object.assign(() => pick(members, random), { names: true });
}

function describe(r: LookupResult, ok: boolean, from: Peer | undefined): string {
  const parts = [`key=${r.key}`, `id=${r.id}`, `owner=${r.owner.name}`, `owner_id=${r.owner.id}`, `ok=${ok}`];
  if (from) parts.push(`from=${from.name}`);
  if (r.timeouts > 0) parts.push(`timeouts=${r.timeouts}`, `skipped=${(r.skipped ?? []).join(',')}`);
  if (r.replica) parts.push(`replica=${r.replica}`);
  return parts.join(' ');
}

async function requests(args: Record<string, unknown>, kind: 'put' | 'lookup'): Promise<void> {
  const client = await openClient(args);
  const prefix = kind === 'put' ? 'dht_put_' : 'dht_';
  try {
    const seed = numberArg(args, 'seed', 1);
    const keys = keyList(args.keys);
    const order = lookupOrder(keys, kind === 'lookup' && args.count !== undefined ? numberArg(args, 'count', 1) : undefined, client.random);
    const numeric = args.numeric === true || args.numeric === 'true';
    const verify = args.verify !== false && args.verify !== 'false';
    const interval = numberArg(args, 'interval', 0);
    const start = await origins(client, args.from, mulberry32(seed ^ 0x5bd1e995));
    let ok = 0;
    let answered = 0;
    let hops = 0;
    for (const [i, key] of order.entries()) {
      const seq = i + 1;
      const at = start();
      const from = start.names ? at : undefined;
      try {
        const r = kind === 'put'
          ? await client.transport.call(at, 'put', { key, numeric, value: valueFor(key, seed) }, client.timeoutMs)
          : await client.transport.call(at, 'lookup', { key, numeric, fetch: true }, client.timeoutMs);
        const success = kind === 'put' || !verify || r.value === valueFor(key, seed);
        record(`${prefix}hops`, r.hops, 'hops', { seq, detail: describe(r, success, from) });
        record(`${prefix}latency`, r.ms, 'ms', { seq, detail: describe(r, success, from) });
        record(`${prefix}success`, success ? 1 : 0, 'bool', { seq, detail: describe(r, success, from) + (success ? '' : ` found=${r.found === true}`) });
        ok += success ? 1 : 0;
        answered++;
        hops += r.hops;
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        client.log(`dht-${kind} ${key}${from ? ` from ${from.name}` : ''}: ${message}`);
        record(`${prefix}success`, 0, 'bool', { seq, detail: `key=${key} ok=false${from ? ` from=${from.name}` : ''} error=${oneToken(message)}` });
      }
      if (interval > 0) await client.clock.sleep(interval);
    }
    client.log(`dht-${kind}: ${order.length} requests, ${ok} succeeded, mean hops ${(hops / Math.max(answered, 1)).toFixed(2)}`);
  } finally {
    client.close();
  }
}

export const dhtPut: Workload = { name: 'dht-put', run: (args) => requests(args, 'put') };
export const dhtLookup: Workload = { name: 'dht-lookup', run: (args) => requests(args, 'lookup') };
