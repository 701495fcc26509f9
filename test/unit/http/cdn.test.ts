// CDN request routing through DNS: an A record `by-client` in the topology becomes records the
// authoritative server gives only to askers in a network (or a node); the same name gets a
// different answer in each region. Plan and answers, no sockets.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../../images/agent/src/dns/config.js';
import { ZoneSet } from '../../../images/agent/src/dns/zone.js';
import type { AgentZone } from '../../../orchestrator/dns/plan.js';
import { TopologyError } from '../../../orchestrator/topology/errors.js';
import { parseTopology } from '../../../orchestrator/topology/load.js';
import { planLab } from '../../../orchestrator/topology/plan.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const file = path.join(repo, 'topologies/cdn.yaml');

describe('by-client A records (topologies/cdn.yaml)', async () => {
  const text = await readFile(file, 'utf8');
  const plan = planLab(parseTopology(text, file, {}), { taken: [] });
  const node = (name: string) => plan.nodes.find((n) => n.name === name)!;
  const address = (name: string) => node(name).interfaces[0]!.address;
  const subnet = (name: string) => address(name).replace(/\.\d+$/, '.0/24');
  const zones = () => node('dns-akamai').config.zones as AgentZone[];

  it('plans one record per asker: a network stands for its subnet; `default` has no restriction', () => {
    const records = zones().find((z) => z.origin === 'akamai.net')!.records.filter((r) => r.name === 'a128.g.akamai.net');
    expect(records.map((r) => [r.data, r.clients])).toEqual([
      [address('replica-a'), [subnet('client-a')]],
      [address('replica-b'), [subnet('client-b')]],
      [address('origin'), undefined],
    ]);
    expect(records.every((r) => r.ttl === 30)).toBe(true);
  });

  it('answers each region\'s resolver with its own replica, anyone else with the default', () => {
    const server = new ZoneSet(parseServerConfig(node('dns-akamai').config).zones, { rotate: true });
    const answer = (client?: string) => server.lookup('a128.g.akamai.net', 'A', client).answers.map((a) => (a as { data: unknown }).data);
    expect(answer(address('dns-a'))).toEqual([address('replica-a')]);
    expect(answer(address('dns-b'))).toEqual([address('replica-b')]);
    expect(answer(`::ffff:${address('dns-b')}`)).toEqual([address('replica-b')]);
    expect(answer(address('root'))).toEqual([address('origin')]);
    expect(answer()).toEqual([address('origin')]);
  });

  it('says which key is neither a network nor a node, where it is written', () => {
    const bad = text.replace('region-b: replica-b', 'regoin-b: replica-b');
    const error = (() => {
      try {
        parseTopology(bad, file, {});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TopologyError);
    const d = (error as TopologyError).diagnostics.find((x) => x.message.includes('by-client'));
    expect(d?.message).toMatch(/by-client key "regoin-b" is neither a network nor a node/);
    expect(d?.hint).toBe('did you mean "region-b"?');
    expect(d?.line).toBe(bad.split('\n').findIndex((l) => l.includes('regoin-b')) + 1);
  });
});
