// The lecture's ways of fetching a page's n objects, as a plan of connections (pure, so the
// plans are unit-tested without sockets). The base page comes first (it says what to fetch);
// then the objects in lanes that run in parallel, each lane a sequence of batches, each batch
// some requests to one endpoint (a server, or the proxy) using a connection in one way:
//   one-at-a-time  HTTP/1.0, a new TCP connection per object            ~2n RTT
//   persistent     HTTP/1.1 keep-alive, one request at a time            ~(n+1) RTT
//   concurrent     m lanes, each one-at-a-time                           ~2⌈n/m⌉ RTT
//   persistent-m   m lanes, each an HTTP/1.1 keep-alive connection       ~⌈n/m⌉ RTT (browsers' way)
//   pipelined      HTTP/1.1, every request written at once, in order     ~2 RTT
//   h2             HTTP/2 (h2c), every request a stream of one connection ~2 RTT
// Keep-alive, pipelined and h2 batches share one pooled connection per endpoint with the page.

export const STRATEGIES = ['one-at-a-time', 'persistent', 'concurrent', 'persistent-m', 'pipelined', 'h2'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export type ConnectionUse =
  /** HTTP/1.0: a connection per request, closed by the server after its response. */
  | 'new-per-request'
  /** HTTP/1.1 keep-alive: the next request after the previous response. */
  | 'sequential'
  /** HTTP/1.1: all requests written back to back; responses in the same order. */
  | 'pipelined'
  /** HTTP/2: all requests as concurrent streams. */
  | 'multiplexed';

export interface Batch {
  endpoint: string;
  /** Indexes into the page's object list. */
  objects: number[];
  use: ConnectionUse;
  /** Which of the endpoint's pooled connections carries it (persistent-m: its lane); default 0, the page's. */
  connection?: number;
}

export interface FetchPlan {
  /** How the base page is fetched (a pooled use keeps its connection for the objects). */
  page: ConnectionUse;
  /** Run in parallel; each lane's batches one after another. */
  lanes: Batch[][];
}

const PAGE_USE: Record<Strategy, ConnectionUse> = {
  'one-at-a-time': 'new-per-request',
  concurrent: 'new-per-request',
  persistent: 'sequential',
  'persistent-m': 'sequential',
  pipelined: 'sequential',
  h2: 'multiplexed',
};

export const isPooled = (use: ConnectionUse): boolean => use !== 'new-per-request';

/** `endpoints[i]` is where object i is fetched from (`host:port`, or the proxy's); `m` is the concurrent strategy's parallelism. */
export function planFetch(strategy: Strategy, endpoints: readonly string[], m = 1): FetchPlan {
  if (!Number.isInteger(m) || m < 1) throw new Error(`the concurrent strategy needs m >= 1 parallel connections, found ${m}`);
  const all = endpoints.map((_, i) => i);
  switch (strategy) {
    case 'one-at-a-time':
      return { page: PAGE_USE[strategy], lanes: all.length === 0 ? [] : [all.map((i) => ({ endpoint: endpoints[i]!, objects: [i], use: 'new-per-request' }))] };
    case 'concurrent': {
      // Object i goes to lane i mod m: each lane fetches ⌈n/m⌉ or ⌊n/m⌋ objects, one at a time.
      const lanes = Array.from({ length: Math.min(m, all.length) }, (_, lane) => all.filter((i) => i % m === lane).map((i): Batch => ({ endpoint: endpoints[i]!, objects: [i], use: 'new-per-request' })));
      return { page: PAGE_USE[strategy], lanes };
    }
    case 'persistent-m': {
      // Object i goes to lane i mod m, each lane one keep-alive connection (lane 0 the page's).
      const lanes = Array.from({ length: Math.min(m, all.length) }, (_, lane) => all.filter((i) => i % m === lane).map((i): Batch => ({ endpoint: endpoints[i]!, objects: [i], use: 'sequential', connection: lane })));
      return { page: PAGE_USE[strategy], lanes };
    }
    case 'persistent':
      return { page: PAGE_USE[strategy], lanes: all.length === 0 ? [] : [runsByEndpoint(endpoints, 'sequential')] };
    case 'pipelined':
    case 'h2': {
      // One connection per endpoint carries all of its requests at once; endpoints proceed in parallel.
      const use: ConnectionUse = strategy === 'h2' ? 'multiplexed' : 'pipelined';
      const order = [...new Set(endpoints)];
      return { page: PAGE_USE[strategy], lanes: order.map((endpoint) => [{ endpoint, objects: all.filter((i) => endpoints[i] === endpoint), use }]) };
    }
  }
}

/** Consecutive objects on the same endpoint form one batch. */
function runsByEndpoint(endpoints: readonly string[], use: ConnectionUse): Batch[] {
  const batches: Batch[] = [];
  endpoints.forEach((endpoint, i) => {
    const last = batches[batches.length - 1];
    if (last && last.endpoint === endpoint) last.objects.push(i);
    else batches.push({ endpoint, objects: [i], use });
  });
  return batches;
}

/** TCP connections the plan opens, the page's included, when no server closes a pooled connection early. */
export function plannedConnections(plan: FetchPlan, pageEndpoint: string): number {
  const pooled = new Set(isPooled(plan.page) ? [`${pageEndpoint} 0`] : []);
  let count = 1;
  for (const batch of plan.lanes.flat()) {
    const key = `${batch.endpoint} ${batch.connection ?? 0}`;
    if (!isPooled(batch.use)) count += batch.objects.length;
    else if (!pooled.has(key)) {
      pooled.add(key);
      count++;
    }
  }
  return count;
}
