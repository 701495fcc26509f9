// Real UDP sockets on 127.0.0.1 (ephemeral ports) and real time: five daemons' services behind
// UdpRpc, formed and driven as dht-setup and the workloads do, one of them closed abruptly.
import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../../../images/agent/src/dht/clock.js';
import { parseNodeConfig } from '../../../images/agent/src/dht/config.js';
import { formRing, waitStable, type Driver, type Peer } from '../../../images/agent/src/dht/form.js';
import { PeerError, PeerUnreachableError, type LookupResult } from '../../../images/agent/src/dht/messages.js';
import { DhtNode } from '../../../images/agent/src/dht/node.js';
import { mulberry32 } from '../../../images/agent/src/common/random.js';
import { UdpRpc } from '../../../images/agent/src/dht/rpc.js';
import { DhtService } from '../../../images/agent/src/dht/service.js';

const LOCAL = '127.0.0.1';
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

async function daemon(name: string, ports: Map<string, number>, config: Record<string, unknown>): Promise<{ peer: Peer; close(): void }> {
  const parsed = parseNodeConfig(config);
  let service: DhtService | undefined;
  const rpc = await UdpRpc.open({ port: 0, address: LOCAL, handler: (r) => service!.handle(r) });
  const node = new DhtNode({ name, host: LOCAL, port: rpc.port }, parsed.params, { transport: rpc, clock: realClock, log: () => undefined });
  service = new DhtService(node, parsed, (target) => ({ host: LOCAL, port: ports.get(target)! }));
  ports.set(name, rpc.port);
  const close = () => {
    service!.stop();
    rpc.close();
  };
  cleanups.push(close);
  return { peer: { name, host: LOCAL, port: rpc.port }, close };
}

describe('DHT over real UDP sockets', () => {
  it('forms a ring, stores and finds keys, and survives a peer closing abruptly', async () => {
    const ports = new Map<string, number>();
    const config = { periods: { ping: 50, stabilize: 50, fingers: 100 }, timeout: 100 };
    const nodes = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => daemon(n, ports, config)));
    const client = await UdpRpc.open({ address: LOCAL });
    cleanups.push(() => client.close());
    const d: Driver = { transport: client, clock: realClock, random: mulberry32(3), log: () => undefined, timeoutMs: 300 };
    await formRing(d, nodes.map((n) => n.peer), [], config);
    await waitStable(d, nodes.map((n) => n.peer), { expected: 5, limitMs: 5000 });
    for (let i = 0; i < 40; i++) await client.call(nodes[i % 5]!.peer, 'put', { key: `k${i}`, value: `v${i}` }, 2000);
    nodes[2]!.close();
    const results: LookupResult[] = [];
    for (let i = 0; i < 40; i++) results.push(await client.call(nodes[(i % 4) + (i % 4 >= 2 ? 1 : 0)]!.peer, 'lookup', { key: `k${i}` }, 2000));
    expect(results.map((r) => r.value)).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`));
    await waitStable(d, nodes.map((n) => n.peer), { expected: 4, limitMs: 5000 });
  });

  it('reports a silent peer as unreachable and a refusal as the peer\'s error', async () => {
    const client = await UdpRpc.open({ address: LOCAL });
    cleanups.push(() => client.close());
    const silent = await UdpRpc.open({ address: LOCAL });
    cleanups.push(() => silent.close());
    await expect(client.call({ host: LOCAL, port: silent.port }, 'ping', {}, 100)).rejects.toThrow(PeerUnreachableError);
    const { peer } = await daemon('x', new Map(), {});
    await expect(client.call(peer, 'step', { key: 1, exclude: [] }, 1000)).rejects.toThrow(new PeerError('x is not a member of a ring'));
    await expect(client.call(peer, 'bogus' as 'ping', {}, 1000)).rejects.toThrow(/unknown request "bogus"; known: \[ping, state/);
  });
});
