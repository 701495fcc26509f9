// The pure half of `npm run bench:dns`: reference configs, NSD's zone file, dnsperf parsing.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerSignature, childTicks, cpuTicks, dnsperfArgv, masterFile, nsdConf, parseDnsperf, queryFile, quoteText, rdata, spread, unboundConf, zoneFromConfig } from '../../../orchestrator/bench/dns-reference.js';
import { parseMasterFile } from '../../../orchestrator/dns/master-file.js';
import type { AgentZone } from '../../../orchestrator/dns/plan.js';
import { loadTopology } from '../../../orchestrator/topology/load.js';
import { planLab } from '../../../orchestrator/topology/plan.js';

const zone: AgentZone = {
  origin: 'bench.test',
  records: [
    { name: 'bench.test', type: 'NS', ttl: 60, data: 'ns1.bench.test' },
    { name: 'bench.test', type: 'SOA', ttl: 60, data: { mname: 'ns1.bench.test', rname: 'hostmaster.bench.test', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 300 } },
    { name: 'ns1.bench.test', type: 'A', ttl: 60, data: '10.0.0.2' },
    { name: 'bench.test', type: 'MX', ttl: 60, data: { preference: 10, exchange: 'mail.bench.test' } },
    { name: 'bench.test', type: 'TXT', ttl: 60, data: 'say "hi" \\ bye' },
    { name: 'www.bench.test', type: 'A', ttl: 30, data: '192.0.2.10' },
    { name: 'www.bench.test', type: 'A', ttl: 30, data: '192.0.2.11' },
    { name: 'api.bench.test', type: 'AAAA', ttl: 60, data: '2001:db8::30' },
    { name: 'web.bench.test', type: 'CNAME', ttl: 60, data: 'www.bench.test' },
    { name: '_sip._udp.bench.test', type: 'SRV', ttl: 60, data: { priority: 0, weight: 5, port: 5060, target: 'sip.bench.test' } },
  ],
};

const DNSPERF_2_10 = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 10.213.5.3 -d /tmp/queries.txt -l 5 -c 4 -q 100 -T 1
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         243542
  Queries completed:    243540 (100.00%)
  Queries lost:         2 (0.00%)

  Response codes:       NOERROR 226147 (92.86%), NXDOMAIN 17393 (7.14%)
  Average packet size:  request 31, response 60
  Run time (s):         5.000405
  Queries per second:   48704.454939

  Average Latency (s):  0.001165 (min 0.000020, max 0.058565)
  Latency StdDev (s):   0.002611
`;

describe('NSD zone file from the records our server is given', () => {
  it('writes every record absolute with its TTL, the SOA first', () => {
    const lines = masterFile(zone).split('\n').filter((l) => l && !l.startsWith(';'));
    expect(lines[0]).toBe('bench.test.\t60\tIN\tSOA\tns1.bench.test. hostmaster.bench.test. 1 3600 600 86400 300');
    expect(lines).toContain('bench.test.\t60\tIN\tMX\t10 mail.bench.test.');
    expect(lines).toContain('_sip._udp.bench.test.\t60\tIN\tSRV\t0 5 5060 sip.bench.test.');
    expect(lines).toContain('web.bench.test.\t60\tIN\tCNAME\twww.bench.test.');
    expect(lines).toHaveLength(zone.records.length);
  });

  it('reads back as the same records (our own master-file parser, as BIND/NSD read it)', () => {
    const back = parseMasterFile(masterFile(zone), 'bench.test', 3600).map((r) => `${r.owner} ${r.ttl} ${r.type} ${r.fields.join(' ')}`);
    expect(back).toContain('bench.test 60 TXT say "hi" \\ bye');
    expect(back).toContain('www.bench.test 30 A 192.0.2.11');
    expect(back).toHaveLength(zone.records.length);
  });

  it('escapes TXT strings (RFC 1035 §5.1) and refuses types it has no form for', () => {
    expect(quoteText('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteText('tab\there')).toBe('"tab\\009here"');
    expect(rdata({ name: 'x.test', type: 'TXT', ttl: 1, data: ['one', 'two'] })).toBe('"one" "two"');
    expect(() => rdata({ name: 'x.test', type: 'HINFO', ttl: 1, data: {} })).toThrow(/no master-file form/);
    expect(() => rdata({ name: 'x.test', type: 'MX', ttl: 1, data: { preference: 10 } })).toThrow(/no "exchange"/);
    expect(() => masterFile({ origin: 'x.test', records: [] })).toThrow(/0 SOA records/);
  });

  it('takes the zone from the shipped bench topology as planned for the dns-auth node', async () => {
    const topology = await loadTopology(path.resolve(import.meta.dirname, '../../../topologies/bench/dns.yaml'), {});
    expect(topology.name.startsWith('bench-dns')).toBe(true);
    const plan = planLab(topology, { taken: [] });
    const auth = plan.nodes.find((n) => n.name === 'auth')!;
    expect(auth.config.recursion).toBe(false); // RA=0, as NSD answers
    const planned = zoneFromConfig(auth.config, 'bench.test');
    expect(masterFile(planned)).toMatch(/^www\.bench\.test\.\t86400\tIN\tA\t192\.0\.2\.10$/m);
    expect(() => zoneFromConfig(auth.config, 'other.test')).toThrow(/no zone "other.test"/);
  });
});

describe('query file', () => {
  it('asks for every RRset once, then one NXDOMAIN and one NODATA name', () => {
    const lines = queryFile(zone).trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['bench.test. NS', 'bench.test. SOA', 'ns1.bench.test. A']);
    expect(lines.filter((l) => l === 'www.bench.test. A')).toHaveLength(1);
    expect(lines.slice(-2)).toEqual(['nonexistent.bench.test. A', 'bench.test. AAAA']);
  });
});

describe('reference server configs', () => {
  it('NSD: one process, no RRL, IPv4 only, no control channel, minimal responses', () => {
    const conf = nsdConf({ address: '10.0.0.3', origin: 'bench.test', zoneFile: '/etc/nsd/z', dir: '/etc/nsd' });
    for (const line of ['ip-address: 10.0.0.3', 'server-count: 1', 'do-ip6: no', 'rrl-ratelimit: 0', 'rrl-whitelist-ratelimit: 0', 'minimal-responses: yes', 'round-robin: yes', 'control-enable: no', 'name: "bench.test"', 'zonefile: "/etc/nsd/z"']) {
      expect(conf).toContain(`  ${line}\n`);
    }
    expect(conf).toMatch(/^remote-control:\n {2}control-enable: no$/m);
  });

  it('Unbound: one thread, a stub zone to the authoritative server, no validation, no rate limits', () => {
    const conf = unboundConf({ address: '10.0.0.5', origin: 'bench.test', stubAddress: '10.0.0.2', dir: '/etc/unbound' });
    expect(conf).toMatch(/^stub-zone:\n {2}name: "bench.test"\n {2}stub-addr: 10.0.0.2$/m);
    for (const line of ['interface: 10.0.0.5', 'num-threads: 1', 'module-config: "iterator"', 'do-not-query-localhost: no', 'ratelimit: 0', 'do-ip6: no', 'local-zone: "bench.test." transparent', 'control-enable: no']) {
      expect(conf).toContain(`  ${line}\n`);
    }
  });

  it('dnsperf: the same argv for every server, pinned when asked', () => {
    const argv = dnsperfArgv({ server: '10.0.0.3', queryFile: '/q', seconds: 10, clients: 4, inFlight: 100, cpu: 1 });
    expect(argv).toEqual(['taskset', '-c', '1', 'dnsperf', '-s', '10.0.0.3', '-d', '/q', '-l', '10', '-c', '4', '-q', '100', '-T', '1']);
    expect(dnsperfArgv({ server: 's', queryFile: '/q', seconds: 1, clients: 1, inFlight: 1 })[0]).toBe('dnsperf');
  });
});

describe('dnsperf output', () => {
  it('reads the statistics block of dnsperf 2.10', () => {
    expect(parseDnsperf(DNSPERF_2_10)).toEqual({
      sent: 243542, completed: 243540, lost: 2, rcodes: { NOERROR: 226147, NXDOMAIN: 17393 },
      requestBytes: 31, replyBytes: 60, runSeconds: 5.000405, qps: 48704.454939, avgLatencyMs: 1.165,
    });
  });

  it('reads older versions\' "reply" and a run where nothing came back', () => {
    const none = DNSPERF_2_10.replace(/Response codes:.*/, 'Response codes:       ').replace('response 60', 'reply 0');
    expect(parseDnsperf(none)).toMatchObject({ rcodes: {}, replyBytes: 0 });
  });

  it('names the missing line rather than returning zeros', () => {
    expect(() => parseDnsperf('[Status] Sending queries\nError: could not open /q')).toThrow(/no "Queries sent" line.*could not open/);
  });
});

describe('measurement helpers', () => {
  it('sums CPU ticks of processes by name, names with spaces and parentheses included', () => {
    const stat = (pid: number, comm: string, utime: number, stime: number) => `${pid} (${comm}) S 1 1 1 0 -1 4194560 0 0 0 0 ${utime} ${stime} 0 0 20 0 1 0`;
    const lines = [stat(42, 'nsd: xfrd', 1, 2), stat(45, 'nsd: server 1', 300, 100), stat(7, 'sh', 50, 50), stat(9, 'odd) (name', 5, 5)].join('\n');
    expect(cpuTicks(lines, /^nsd/)).toBe(403);
    expect(cpuTicks(lines, /^odd\) \(name$/)).toBe(10);
    expect(cpuTicks('', /x/)).toBe(0);
  });

  it("reads a shell's waited-for children's CPU (dnsperf's) from its stat line", () => {
    const line = '77 (sh) S 0 77 77 0 -1 4194560 100 200 0 0 1 2 480 35 20 0 1 0 123 4000 100';
    expect(childTicks(line)).toBe(515);
    expect(() => childTicks('')).toThrow(/not a \/proc\/PID\/stat line/);
  });

  it('median and range', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([4, 1, 2, 3]).median).toBe(2.5);
    expect(spread([]).n).toBe(0);
  });

  it('answer signatures ignore TTLs and RRset order, not status or data', () => {
    const dig = (ttl: number, order: string[], status = 'NOERROR') =>
      `;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: 1\n;; flags: qr aa\n\n${order.map((a) => `www.bench.test.\t${ttl}\tIN\tA\t${a}`).join('\n')}\n`;
    const a = answerSignature(dig(86400, ['192.0.2.10', '192.0.2.11']));
    expect(answerSignature(dig(86390, ['192.0.2.11', '192.0.2.10']))).toBe(a);
    expect(a).toBe('status=NOERROR; www.bench.test. in a 192.0.2.10; www.bench.test. in a 192.0.2.11');
    expect(answerSignature(dig(1, ['192.0.2.10']))).not.toBe(a);
    expect(answerSignature(dig(1, [], 'NXDOMAIN'))).toBe('status=NXDOMAIN');
  });
});
