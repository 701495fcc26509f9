// The pure half of `npm run bench:dns`: the reference servers' configuration files (NSD,
// Unbound), NSD's zone file written from exactly the records our server is given, the query
// file, dnsperf's report parsed, and the summary statistics. Text in, text out: unit-tested
// without Docker (test/unit/bench/dns-reference.test.ts).
import type { AgentRecord, AgentZone } from '../dns/plan.js';

/** A domain name as a master file writes it: absolute, with the final dot. */
const absolute = (name: string) => (name === '.' ? '.' : `${name}.`);

/** RFC 1035 §5.1 character-string: quoted, with `"` and `\` escaped and non-printable bytes as \DDD. */
export function quoteText(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${String(byte).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return out + '"';
}

function field(data: unknown, key: string, record: AgentRecord): string | number {
  const value = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`${record.type} record of ${record.name}: data has no "${key}" (found ${JSON.stringify(data)})`);
  return value;
}

/** One record's RDATA in master-file syntax, from the data as our agent serves it (dns-packet's shapes). */
export function rdata(record: AgentRecord): string {
  const d = record.data;
  const f = (key: string) => field(d, key, record);
  const name = (key: string) => absolute(String(f(key)));
  switch (record.type) {
    case 'A':
    case 'AAAA':
      if (typeof d !== 'string') throw new Error(`${record.type} record of ${record.name}: expected an address, found ${JSON.stringify(d)}`);
      return d;
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      if (typeof d !== 'string') throw new Error(`${record.type} record of ${record.name}: expected a domain name, found ${JSON.stringify(d)}`);
      return absolute(d);
    case 'MX':
      return `${f('preference')} ${name('exchange')}`;
    case 'SRV':
      return `${f('priority')} ${f('weight')} ${f('port')} ${name('target')}`;
    case 'SOA':
      return `${name('mname')} ${name('rname')} ${f('serial')} ${f('refresh')} ${f('retry')} ${f('expire')} ${f('minimum')}`;
    case 'TXT': {
      // One string, or several character-strings of one record (as a master file's TXT may hold).
      const strings = typeof d === 'string' ? [d] : Array.isArray(d) && d.every((s) => typeof s === 'string') ? (d as string[]) : undefined;
      if (!strings) throw new Error(`TXT record of ${record.name}: expected a string or a list of strings, found ${JSON.stringify(d)}`);
      return strings.map(quoteText).join(' ');
    }
    default:
      throw new Error(`${record.type} record of ${record.name}: no master-file form for this type in the bench (known: A, AAAA, NS, CNAME, PTR, DNAME, MX, SRV, SOA, TXT)`);
  }
}

/** The zone as an RFC 1035 master file: every name absolute, every TTL explicit, the SOA first (NSD wants it). */
export function masterFile(zone: AgentZone): string {
  const soa = zone.records.filter((r) => r.type === 'SOA');
  if (soa.length !== 1) throw new Error(`zone ${zone.origin} has ${soa.length} SOA records (expected 1)`);
  const ordered = [...soa, ...zone.records.filter((r) => r.type !== 'SOA')];
  const lines = ordered.map((r) => `${absolute(r.name)}\t${r.ttl}\tIN\t${r.type}\t${rdata(r)}`);
  return `; ${zone.origin}: written by npm run bench:dns from the records the dns-auth node serves\n${lines.join('\n')}\n`;
}

/** Reads the zone `origin` out of a dns-auth node's computed config (as the plan hands it to the agent). */
export function zoneFromConfig(config: Record<string, unknown>, origin: string): AgentZone {
  const zones = Array.isArray(config.zones) ? (config.zones as unknown[]) : [];
  const zone = zones.find((z): z is AgentZone => typeof z === 'object' && z !== null && (z as { origin?: unknown }).origin === origin);
  if (!zone || !Array.isArray(zone.records)) throw new Error(`the node's config serves no zone "${origin}"`);
  return zone;
}

/**
 * dnsperf's input: one line per RRset of the zone ("name TYPE"), then a name that does not exist
 * (NXDOMAIN) and an existing name without an AAAA record (NODATA), so the mix exercises every
 * kind of answer both servers give. dnsperf cycles through it in order.
 */
export function queryFile(zone: AgentZone, missing = `nonexistent.${zone.origin}`): string {
  const sets = [...new Set(zone.records.map((r) => `${absolute(r.name)} ${r.type}`))];
  const has = (name: string, type: string) => zone.records.some((r) => r.name === name && r.type === type);
  // A CNAME owner would answer with the CNAME, not NODATA.
  const nodata = zone.records.map((r) => r.name).find((n) => !has(n, 'AAAA') && !has(n, 'CNAME'));
  return [...sets, `${absolute(missing)} A`, ...(nodata ? [`${absolute(nodata)} AAAA`] : [])].join('\n') + '\n';
}

export interface NsdOptions { address: string; origin: string; zoneFile: string; dir: string }

/**
 * nsd.conf for one zone on one address. Held equal with our server: one server process (ours
 * is one event loop), no rate limiting (RRL would drop most of dnsperf's queries), IPv4 only,
 * no control channel, round-robin RRsets like ours. Runs as root with no chroot: a lab
 * container has no other user to protect, and it keeps the paths simple.
 */
export function nsdConf(o: NsdOptions): string {
  return [
    'server:',
    `  ip-address: ${o.address}`,
    '  port: 53',
    '  do-ip6: no',
    '  server-count: 1',
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${o.dir}"`,
    '  database: ""',
    `  zonelistfile: "${o.dir}/zone.list"`,
    `  xfrdfile: "${o.dir}/xfrd.state"`,
    `  pidfile: "${o.dir}/nsd.pid"`,
    `  logfile: "${o.dir}/nsd.log"`,
    '  verbosity: 0',
    '  round-robin: yes',
    // Ours answers with the answer section alone; NSD would add the zone's NS RRset and its glue.
    '  minimal-responses: yes',
    '  rrl-ratelimit: 0',
    '  rrl-whitelist-ratelimit: 0',
    'remote-control:',
    '  control-enable: no',
    'zone:',
    `  name: "${o.origin}"`,
    `  zonefile: "${o.zoneFile}"`,
    '',
  ].join('\n');
}

export interface UnboundOptions { address: string; origin: string; stubAddress: string; dir: string }

/**
 * unbound.conf: a cache in front of the zone (stub-zone to the authoritative server). Held equal
 * with our resolver: one thread, no DNSSEC validation (module-config iterator only: ours does
 * not validate, and the lab has no trust anchor), no rate limiting, no prefetch, IPv4 only.
 */
export function unboundConf(o: UnboundOptions): string {
  return [
    'server:',
    `  interface: ${o.address}`,
    '  port: 53',
    '  do-ip6: no',
    '  num-threads: 1',
    '  access-control: 0.0.0.0/0 allow',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${o.dir}"`,
    `  pidfile: "${o.dir}/unbound.pid"`,
    '  use-syslog: no',
    `  logfile: "${o.dir}/unbound.log"`,
    '  verbosity: 0',
    '  module-config: "iterator"',
    '  do-not-query-localhost: no',
    '  ratelimit: 0',
    '  ip-ratelimit: 0',
    '  prefetch: no',
    // Unbound answers special-use names (test., invalid., …) itself; a zone of our own below one is resolved as usual.
    `  local-zone: "${o.origin}." transparent`,
    'remote-control:',
    '  control-enable: no',
    'stub-zone:',
    `  name: "${o.origin}"`,
    `  stub-addr: ${o.stubAddress}`,
    '',
  ].join('\n');
}

export interface DnsperfOptions { server: string; queryFile: string; seconds: number; clients: number; inFlight: number; cpu?: number }

/** dnsperf's argv (one sending thread; `cpu`: pinned to that CPU with taskset). */
export function dnsperfArgv(o: DnsperfOptions): string[] {
  const run = ['dnsperf', '-s', o.server, '-d', o.queryFile, '-l', String(o.seconds), '-c', String(o.clients), '-q', String(o.inFlight), '-T', '1'];
  return o.cpu === undefined ? run : ['taskset', '-c', String(o.cpu), ...run];
}

export interface DnsperfResult {
  sent: number;
  completed: number;
  lost: number;
  /** Response codes and how many of each, e.g. { NOERROR: 9000, NXDOMAIN: 1000 }. */
  rcodes: Record<string, number>;
  requestBytes: number;
  replyBytes: number;
  runSeconds: number;
  qps: number;
  avgLatencyMs: number;
}

/** Reads dnsperf's "Statistics:" block; fails naming what is missing rather than returning zeros. */
export function parseDnsperf(output: string): DnsperfResult {
  const num = (label: string, re: RegExp) => {
    const m = re.exec(output);
    if (!m?.[1]) throw new Error(`dnsperf output has no "${label}" line: ${output.trim().split('\n').slice(-6).join(' | ')}`);
    return Number(m[1]);
  };
  const rcodes: Record<string, number> = {};
  const codes = /Response codes:\s+(.*)/.exec(output)?.[1] ?? '';
  for (const m of codes.matchAll(/([A-Z]+) (\d+) \(/g)) rcodes[m[1]!] = Number(m[2]);
  return {
    sent: num('Queries sent', /Queries sent:\s+(\d+)/),
    completed: num('Queries completed', /Queries completed:\s+(\d+)/),
    lost: num('Queries lost', /Queries lost:\s+(\d+)/),
    rcodes,
    requestBytes: num('Average packet size', /Average packet size:\s+request (\d+)/),
    // dnsperf 2.10 says "response", older versions "reply".
    replyBytes: num('Average packet size', /Average packet size:\s+request \d+, (?:response|reply) (\d+)/),
    runSeconds: num('Run time (s)', /Run time \(s\):\s+([\d.]+)/),
    qps: num('Queries per second', /Queries per second:\s+([\d.]+)/),
    avgLatencyMs: num('Average Latency (s)', /Average Latency \(s\):\s+([\d.]+)/) * 1000,
  };
}

export interface Spread { median: number; min: number; max: number; n: number }

export function spread(values: number[]): Spread {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** Sums utime + stime (clock ticks) of the processes whose name matches `comm`, from the `pid (comm) state …` lines of /proc/PID/stat. */
export function cpuTicks(statLines: string, comm: RegExp): number {
  let ticks = 0;
  for (const line of statLines.split('\n')) {
    // comm may hold spaces and parentheses ("nsd: server 1"): it ends at the last ')'.
    const open = line.indexOf('(');
    const close = line.lastIndexOf(')');
    if (open < 0 || close < open || !comm.test(line.slice(open + 1, close))) continue;
    const fields = line.slice(close + 2).split(' '); // from field 3 (state) on: utime and stime (fields 14, 15) are [11], [12]
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks;
}

/** CPU ticks of a process's waited-for children (cutime + cstime, fields 16 and 17 of its /proc/PID/stat line). */
export function childTicks(statLine: string): number {
  const close = statLine.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/PID/stat line: "${statLine.slice(0, 80)}"`);
  const fields = statLine.slice(close + 2).trim().split(' ');
  return Number(fields[13]) + Number(fields[14]);
}

/**
 * What a server answered, as dig printed it (`+noall +comments +answer +authority`): the status
 * and the answer and authority records without their TTLs (a cache counts them down), sorted
 * (RRsets are rotated). Two servers holding the same data give the same signature.
 */
export function answerSignature(digOutput: string): string {
  const status = /status: ([A-Z]+)/.exec(digOutput)?.[1] ?? 'no-answer';
  const records = digOutput
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith(';'))
    .map((l) => l.trim().split(/\s+/))
    .map(([owner, , ...rest]) => [owner, ...rest].join(' ').toLowerCase())
    .sort();
  return [`status=${status}`, ...records].join('; ');
}
