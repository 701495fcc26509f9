import { record } from '../common/records.js';
import { paramsFromArgs } from '../dht/config.js';
import { formRing, waitStable } from '../dht/form.js';
import { openClient } from './dht-client.js';
import { numberArg, type Workload } from './workload.js';

// dht-setup: a fresh ring for the run. Arguments: nodes (a list, or a range "n1..n64"), n (how
// many of them, from the first, take part; default all: the others are reset and stay out),
// the ring's settings (mode ring|shortcuts — or shortcuts: 0|1 —, m, successors, replicas,
// periods {ping, stabilize, fingers}, timeout), wait (ms to become stable, default 60000).
// Records: dht_nodes, dht_form_ms (resets and joins), dht_stable_ms (from the last join until
// every member's successors, predecessor and fingers are right).
//
// dht-wait-stable: waits until the listed nodes that are members form a stable ring (after
// churn: the killed ones repaired around, the restarted ones back). Arguments: nodes,
// members (expected count, optional), wait (ms, default 30000). Records dht_stable_ms, dht_nodes.

const RING_KEYS = ['m', 'mode', 'shortcuts', 'successors', 'replicas', 'periods', 'timeout'];

export const dhtSetup: Workload = {
  name: 'dht-setup',
  async run(args) {
    const client = await openClient(args);
    try {
      const all = client.peers(args.nodes);
      const n = numberArg(args, 'n', all.length);
      if (!Number.isInteger(n) || n < 1 || n > all.length) throw new Error(`argument "n" must be a whole number from 1 to ${all.length} (the nodes listed), found ${JSON.stringify(args.n)}`);
      const ringArgs = Object.fromEntries(Object.entries(args).filter(([k]) => RING_KEYS.includes(k)));
      const params = paramsFromArgs(ringArgs);
      const members = all.slice(0, n);
      client.log(`dht-setup: ring of ${n} of ${all.length} nodes (${members[0]!.name}…${members[n - 1]!.name}), mode=${params.mode} m=${params.m} successors=${params.successors}`);
      const { formMs } = await formRing(client, members, all.slice(n), ringArgs);
      const { ms } = await waitStable(client, members, { expected: n, limitMs: numberArg(args, 'wait', 60_000) });
      client.log(`dht-setup: ${n} nodes joined in ${Math.round(formMs)} ms, stable ${Math.round(ms)} ms later`);
      record('dht_nodes', n, 'nodes', { detail: `mode=${params.mode}` });
      record('dht_form_ms', round(formMs), 'ms');
      record('dht_stable_ms', round(ms), 'ms');
    } finally {
      client.close();
    }
  },
};

export const dhtWaitStable: Workload = {
  name: 'dht-wait-stable',
  async run(args) {
    const client = await openClient(args);
    try {
      const nodes = client.peers(args.nodes);
      const expected = args.members === undefined ? undefined : numberArg(args, 'members', 0);
      const { ms, members } = await waitStable(client, nodes, { ...(expected === undefined ? {} : { expected }), limitMs: numberArg(args, 'wait', 30_000) });
      client.log(`dht-wait-stable: ${members.length} members stable after ${Math.round(ms)} ms`);
      record('dht_stable_ms', round(ms), 'ms');
      record('dht_nodes', members.length, 'nodes');
    } finally {
      client.close();
    }
  },
};

const round = (ms: number) => Math.round(ms * 1000) / 1000;
