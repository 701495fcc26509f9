import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentZone } from '../../../orchestrator/dns/plan.js';
import { rttNames, delayTable } from '../../../orchestrator/experiment/paths.js';
import { parseTopology } from '../../../orchestrator/topology/load.js';
import { planLab } from '../../../orchestrator/topology/plan.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const load = async (file: string) => parseTopology(await readFile(path.join(repo, file), 'utf8'), path.join(repo, file), {});

describe('the lab\'s DNS, derived from the topology', async () => {
  const topology = await load('topologies/dns-hierarchy.yaml');
  const plan = planLab(topology, { taken: [] });
  const node = (name: string) => plan.nodes.find((n) => n.name === name)!;
  const address = (name: string) => node(name).interfaces[0]!.address;
  const zone = (server: string, origin: string) => (node(server).config.zones as AgentZone[]).find((z) => z.origin === origin)!;
  const records = (z: AgentZone, name: string, type: string) => z.records.filter((r) => r.name === name && r.type === type).map((r) => r.data);

  it('gives the root a delegation with glue for every TLD served in the lab', () => {
    const root = zone('root', '.');
    expect(records(root, 'edu', 'NS')).toEqual(['a.edu-servers.net']);
    expect(records(root, 'a.edu-servers.net', 'A')).toEqual([address('edu')]);
    expect(records(root, 'uk', 'NS')).toEqual(['nsa.nic.uk']);
    expect(records(root, 'nsa.nic.uk', 'A')).toEqual([address('uk')]);
    expect(records(root, '.', 'SOA')).toEqual([expect.objectContaining({ mname: 'a.root-servers.net', minimum: 300 })]);
  });

  it('delegates each zone from its closest parent served in the lab, glue only in bailiwick', () => {
    const edu = zone('edu', 'edu');
    expect(records(edu, 'stanford.edu', 'NS')).toEqual(['dns.stanford.edu']);
    expect(records(edu, 'dns.stanford.edu', 'A')).toEqual([address('dns-stanford')]);
    // co.uk is served by the uk server itself: delegated from uk, named by its own NS record.
    expect(records(zone('uk', 'uk'), 'co.uk', 'NS')).toEqual(['nsa.nic.uk']);
    expect(records(zone('uk', 'co.uk'), 'bbc.co.uk', 'NS')).toEqual(['ns1.bbc.co.uk']);
    expect(records(zone('uk', 'co.uk'), 'ns1.bbc.co.uk', 'A')).toEqual([address('dns-bbc')]);
    // The root does not delegate stanford.edu itself: edu does.
    expect(records(zone('root', '.'), 'stanford.edu', 'NS')).toEqual([]);
  });

  it('fills records from the topology (A by node name) and from the master file', () => {
    const stanford = zone('dns-stanford', 'stanford.edu');
    expect(records(stanford, 'www.stanford.edu', 'A')).toEqual([address('web')]);
    expect(records(stanford, 'cs.stanford.edu', 'CNAME')).toEqual(['www.stanford.edu']);
    const bbc = zone('dns-bbc', 'bbc.co.uk');
    expect(records(bbc, 'www.bbc.co.uk', 'A')).toEqual(['10.99.0.80', '10.99.0.81']);
    expect(records(bbc, 'bbc.co.uk', 'MX')).toEqual([{ preference: 10, exchange: 'mail.bbc.co.uk' }]);
    expect(records(bbc, 'bbc.co.uk', 'TXT')).toEqual([['v=spf1 -all', 'lab zone']]);
    expect(bbc.records.find((r) => r.name === 'news.bbc.co.uk')).toMatchObject({ type: 'CNAME', ttl: 60, data: 'www.bbc.co.uk' });
    // The file's own SOA and NS are the lab's to derive.
    expect(records(bbc, 'bbc.co.uk', 'NS')).toEqual(['ns1.bbc.co.uk']);
    expect(records(bbc, 'bbc.co.uk', 'SOA')).toHaveLength(1);
  });

  it('gives resolvers the root hints (and the root as forwarder in recursive mode), and every node its resolver', () => {
    expect(node('dns-cam').config).toMatchObject({ mode: 'iterative', rootHints: [{ name: 'a.root-servers.net', address: address('root') }], negativeCache: true });
    expect(node('dns-cam-rec').config).toMatchObject({ mode: 'recursive', forwarders: [address('root')] });
    expect(node('client').resolver).toBe(address('dns-cam'));
    // A recursive resolver in the lab: its servers recurse for RD=1 queries.
    expect(node('edu').config.recursion).toBe(true);
  });

  it('computes the round trips the formulas use from routes and one-way delays', async () => {
    const names = rttNames(topology, delayTable(topology, new Map()));
    expect(names['rtt.client.dns-cam']).toBe(2);
    expect(names['rtt.dns-cam.root']).toBe(22);
    expect(names['rtt.root.edu']).toBe(60);
    const hello = await load('topologies/hello.yaml');
    expect(rttNames(hello, delayTable(hello, new Map()))['rtt.client.server']).toBe(30);
    expect(rttNames(hello, delayTable(hello, new Map([['left', { delayUs: 50_000 }]]))) ['rtt.client.server']).toBe(110);
  });
});
