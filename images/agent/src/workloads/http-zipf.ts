import dns from 'node:dns';
import net from 'node:net';
import { log, record } from '../common/records.js';
import { ClientCache, type Endpoint } from '../http/fetcher.js';
import { H1Connection, type ClientResponse } from '../http/h1-connection.js';
import { objectUrl, summarize, wireBytes, zipfRanks, type Sample } from '../http/zipf-load.js';
import { portOf } from '../http/url.js';
import { proxyArg } from './http-fetch.js';
import { boolArg, numberArg, stringArg, type Workload } from './workload.js';

// Requests for objects whose popularity follows Zipf(α), as a cache in front of many users sees
// them: `streams` keep-alive connections, each taking the next draw when its last answer is in.
// Arguments: url (where object k is url + k, e.g. http://web/obj/), objects (n, 1000), alpha (1),
// requests (recorded, 1000), warmup (unrecorded requests first, drawn from the same sequence, so
// the cache reaches its steady state, 0), streams (4), proxy (NODE[:PORT]), client-cache (each
// stream keeps validators and asks conditionally for objects it has seen, false), seed (the
// run's), timeout (ms per request, 30000).
// Records (the recorded requests): requests, hit_ratio (share the nearest cache answered HIT),
// request_time / hit_time / miss_time (mean ms; detail p50, p90), distinct_objects, wire_bytes
// (status line + fields + bodies), and per status S: responses_S (count) and bytes_per_S (mean
// wire bytes of one: a 304 carries no body).

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : 0);

export const httpZipf: Workload = {
  name: 'http-zipf',
  async run(args) {
    const base = stringArg(args, 'url');
    if (!/^http:\/\/[^/]+\/.*$/.test(base)) throw new Error(`argument "url" must be an http:// URL to which an object's rank is appended, e.g. http://web/obj/, found ${JSON.stringify(base)}`);
    const whole = (key: string, fallback: number, min: number) => {
      const v = numberArg(args, key, fallback);
      if (!Number.isInteger(v) || v < min) throw new Error(`argument "${key}" must be a whole number >= ${min}, found ${JSON.stringify(args[key])}`);
      return v;
    };
    const objects = whole('objects', 1000, 1);
    const requests = whole('requests', 1000, 1);
    const warmup = whole('warmup', 0, 0);
    const streams = whole('streams', 4, 1);
    const alpha = numberArg(args, 'alpha', 1);
    if (!(alpha >= 0)) throw new Error(`argument "alpha" (the Zipf exponent) must be >= 0, found ${JSON.stringify(args.alpha)}`);
    const timeoutMs = numberArg(args, 'timeout', 30_000);
    const seed = numberArg(args, 'seed', 1);
    const proxy = await proxyArg(args);
    const conditional = boolArg(args, 'client-cache', false);
    const ranks = zipfRanks(objects, alpha, warmup + requests, seed);
    const server = proxy ?? (await resolve(objectUrl(base, 1)));
    log(`http-zipf: ${warmup} + ${requests} requests for ${objects} objects of ${base}, alpha ${alpha}, ${streams} streams${proxy ? ` via ${proxy.address}:${proxy.port}` : ''}${conditional ? ', conditional' : ''}, seed ${seed}`);
    const samples: Sample[] = [];
    let next = 0;
    const stream = async () => {
      const cache = conditional ? new ClientCache() : undefined;
      let connection: H1Connection | undefined;
      try {
        while (next < ranks.length) {
          const i = next++;
          const url = objectUrl(base, ranks[i]!);
          const target = proxy ? url.href : `${url.pathname}${url.search}`;
          const request = { method: 'GET', target, version: '1.1' as const, headers: { host: url.host, 'user-agent': 'emunet-http-zipf', ...(cache?.conditionalFields(url) ?? {}) } };
          let response: ClientResponse | undefined;
          // A server may close an idle keep-alive connection: the request is sent again on a new one.
          for (let attempt = 0; !response; attempt++) {
            if (!connection?.reusable) connection = await H1Connection.open(server.address, server.port, { timeoutMs, now });
            response = await withTimeout(connection.send(request), timeoutMs, url).catch((e: unknown) => {
              if (attempt > 0) throw e;
              connection?.close();
              connection = undefined;
              return undefined;
            });
          }
          if (response.status >= 400) throw new Error(`${url.href} answered ${response.status}: ${response.body.toString('utf8').split('\n')[0]?.slice(0, 200)}`);
          cache?.update(url, response);
          if (i >= warmup) samples.push({ rank: ranks[i]!, status: response.status, cache: /^\s*([A-Z]+)/.exec(response.headers['x-cache'] ?? '')?.[1], ms: response.doneAt - response.sentAt, wireBytes: wireBytes(response) });
        }
      } finally {
        connection?.close();
      }
    };
    await Promise.all(Array.from({ length: streams }, stream));
    report(samples, alpha, objects);
  },
};

function report(samples: Sample[], alpha: number, objects: number): void {
  const s = summarize(samples);
  const detail = `alpha=${alpha} objects=${objects}`;
  record('requests', s.requests, 'requests', { detail });
  record('hit_ratio', round(s.hitRatio), 'ratio', { detail: `${detail} hits=${samples.filter((x) => x.cache === 'HIT').length}` });
  record('request_time', round(s.meanMs), 'ms', { detail: `p50=${round(s.p50Ms)} p90=${round(s.p90Ms)}` });
  if (s.requests > 0 && s.hitRatio > 0) record('hit_time', round(s.hitMs), 'ms');
  if (s.hitRatio < 1) record('miss_time', round(s.missMs), 'ms');
  record('distinct_objects', s.distinct, 'objects');
  record('wire_bytes', s.wireBytes, 'bytes');
  for (const [status, { count, meanWireBytes }] of Object.entries(s.byStatus)) {
    record(`responses_${status}`, count, 'responses');
    record(`bytes_per_${status}`, round(meanWireBytes), 'bytes');
  }
  log(`http-zipf: ${s.requests} requests, hit ratio ${round(s.hitRatio)}, mean ${round(s.meanMs)} ms (hits ${round(s.hitMs)}, others ${round(s.missMs)})`);
}

async function resolve(url: URL): Promise<Endpoint> {
  if (net.isIPv4(url.hostname)) return { address: url.hostname, port: portOf(url) };
  try {
    return { address: (await dns.promises.lookup(url.hostname, { family: 4 })).address, port: portOf(url) };
  } catch (e) {
    throw new Error(`cannot resolve "${url.hostname}" (${(e as NodeJS.ErrnoException).code ?? String(e)}): name a lab node`);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, url: URL): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${url.href}: no answer within ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
