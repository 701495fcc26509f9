import { record } from '../common/records.js';
import { openClient } from './dht-client.js';
import type { Workload } from './workload.js';

// Graceful churn, run on the node that leaves or joins. dht-leave: the node hands its keys to
// its successor and tells its neighbours (record dht_handed_over, keys). dht-join: the node
// joins through `via` (a node name or a list; default its config.bootstrap) (record dht_join_ms).
// Abrupt failure is a fault step instead: `{ kill: NODE }`; `{ restart: NODE }` rejoins by itself.

export const dhtLeave: Workload = {
  name: 'dht-leave',
  async run(args) {
    const client = await openClient(args);
    try {
      const { handedOver } = await client.transport.call(client.local, 'leave', {}, client.timeoutMs);
      client.log(`dht-leave: left the ring, ${handedOver} keys handed to the successor`);
      record('dht_handed_over', handedOver, 'keys');
    } finally {
      client.close();
    }
  },
};

export const dhtJoin: Workload = {
  name: 'dht-join',
  async run(args) {
    const via = args.via === undefined ? [] : Array.isArray(args.via) ? args.via : [args.via];
    if (!via.every((v) => typeof v === 'string' && v !== '')) throw new Error(`argument "via" must be a node name or a list of them, found ${JSON.stringify(args.via)}`);
    const client = await openClient(args);
    try {
      const r = await client.transport.call(client.local, 'join', { via: via as string[] }, client.timeoutMs);
      client.log(`dht-join: joined as id ${r.self.id}, successor ${r.successor.name}, in ${r.ms} ms`);
      record('dht_join_ms', r.ms, 'ms', { detail: `id=${r.self.id} successor=${r.successor.name}` });
    } finally {
      client.close();
    }
  },
};
