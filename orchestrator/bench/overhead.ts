// `npm run bench:overhead`: the latency the agents themselves add to what they measure. On a lab
// with no impairment (topologies/bench/overhead.yaml), one client times single exchanges, one at
// a time, against our agents and — side by side, from the same client workload — against the
// reference servers (Unbound, nginx), with the kernel's own round trip (ping) as the floor.
// Everything a workload reports beyond ping is the agents' (client and server): what a user's
// configured delays are measured on top of. Rounds alternate ours / reference.
import path from 'node:path';
import { repoRoot } from '../images/paths.js';
import { percentile } from '../results/summary.js';
import { unboundConf } from './dns-reference.js';
import { commandLineOptions, runBench, table } from './harness.js';
import { deployBenchLab, pinNeighbours, removeLabs, writeNodeFile, type Exec } from './lab-exec.js';

const TOPOLOGY = path.join(repoRoot, 'topologies', 'bench', 'overhead.yaml');
/** This bench only ever creates or destroys labs named so. */
const LAB_PREFIX = 'bench-overhead';
const NAME = 'www.bench.test';
/** The page both HTTP servers serve: n objects of 1 kB, fetched one at a time on a warm connection. */
const PAGE = '/?objects=50&size=1000';
const WWW = '/var/www/bench';

/** One kind of exchange against one server; samples in ms, over all rounds. */
interface Series { exchange: string; server: string; samples: number[] }

/** A static nginx: one worker, no access log, the page and its objects as files. */
function nginxStaticConf(address: string, dir: string): string {
  return [
    'worker_processes 1;', 'daemon on;', `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log warn;`,
    'events { worker_connections 1024; }',
    'http {', '  access_log off;', '  keepalive_requests 1000000;', '  default_type text/html;',
    `  server { listen ${address}:80; root ${WWW}; location / { try_files $uri $uri/index.html =404; } }`,
    '}', '',
  ].join('\n');
}

/** The records a workload printed (one JSON object per line) with this metric, as numbers. */
function values(output: string, metric: string): number[] {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type?: string; metric?: string; value?: number })
    .filter((r) => r.type === 'record' && r.metric === metric).map((r) => r.value!);
}

const workload = (exec: Exec, name: string, args: object) => exec('client', ['node', '/opt/emunet/agent.mjs', 'workload', name, JSON.stringify(args)]);

/** ping's per-reply times: the kernel answers ICMP echo, so this is the path and nothing else. */
async function pingSamples(exec: Exec, address: string, n: number): Promise<number[]> {
  const out = await exec('client', ['ping', '-n', '-c', String(n), '-i', '0.01', address]);
  return [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}

/** nginx serves exactly the bytes our origin does: the page and each object, fetched from it. */
async function startNginx(exec: Exec, address: string): Promise<void> {
  const page = await exec('nginx', ['curl', '-sS', '--fail', `http://origin${PAGE}`]);
  const objects = [...page.matchAll(/src="(\/[^"]+)"/g)].map((m) => m[1]!.split('?')[0]!);
  await writeNodeFile(exec, 'nginx', `${WWW}/index.html`, page);
  await exec('nginx', ['sh', '-c', 'for p in "$@"; do mkdir -p "$(dirname /var/www/bench$p)"; curl -sS --fail -o "/var/www/bench$p" "http://origin$p"; done', 'sh', ...objects]);
  await writeNodeFile(exec, 'nginx', '/etc/emunet-nginx/nginx.conf', nginxStaticConf(address, '/etc/emunet-nginx'));
  await exec('nginx', ['nginx', '-c', '/etc/emunet-nginx/nginx.conf']);
}

function render(series: Series[], floor: number[]): string {
  const f50 = percentile([...floor].sort((a, b) => a - b), 50);
  const f99 = percentile([...floor].sort((a, b) => a - b), 99);
  const rows = series.map((s) => {
    const sorted = [...s.samples].sort((a, b) => a - b);
    const [p50, p99] = [percentile(sorted, 50), percentile(sorted, 99)];
    return [s.exchange, s.server, String(s.samples.length), p50.toFixed(3), p99.toFixed(3), (p50 - f50).toFixed(3), (p99 - f99).toFixed(3)];
  });
  return [
    table([['exchange', 'server', 'n', 'p50 ms', 'p99 ms', 'p50 − ping p50', 'p99 − ping p99'], ['ping (kernel ICMP echo)', 'the floor', String(floor.length), f50.toFixed(3), f99.toFixed(3), '', ''], ...rows]),
    '',
    'No impairment (0 ms configured delay): each sample is one exchange on an idle path, one at a time, from the same client node.',
    'ping: -i 0.01 to the same servers. UDP echo: the probe workload against the agent\'s echo service (Node.js on both ends: the least a pair of agents adds).',
    `DNS: dns-lookup of ${NAME} (cached: warmed first) through our dns-resolver and through Unbound (stub-zone to our dns-auth). HTTP: http-fetch persistent, warm, of ${PAGE}: object_time per object, one request at a time on one kept-alive connection, from our http-origin and from nginx serving the same bytes as files.`,
    'The last two columns are what the agents (client and server) add on top of the path; the reference rows show how much of that is the Node.js client alone.',
  ].join('\n');
}

const options = commandLineOptions('overhead', { rounds: { default: 3, min: 1 }, samples: { default: 300, min: 1 } });

runBench({
  name: 'overhead',
  jsonOut: options.jsonOut,
  cleanup: (ctx) => removeLabs(ctx, LAB_PREFIX),
  async measure({ ctx, log, signal }) {
    const { lab, exec, addressOf } = await deployBenchLab(ctx, TOPOLOGY, LAB_PREFIX, log, signal);
    await pinNeighbours(exec, lab.nodes.map((n) => ({ node: n.name, address: addressOf(n.name) })));
    await writeNodeFile(exec, 'unbound', '/etc/unbound/unbound.conf', unboundConf({ address: addressOf('unbound'), origin: 'bench.test', stubAddress: addressOf('auth'), dir: '/etc/unbound' }));
    await exec('unbound', ['unbound', '-c', '/etc/unbound/unbound.conf']);
    await startNginx(exec, addressOf('nginx'));
    const n = options.samples;
    const objects = Math.ceil(n / 50);
    const kinds = [
      { exchange: 'UDP echo', server: 'agent echo (ours)', measure: async () => values(await workload(exec, 'probe', { target: 'resolver', count: n, interval: 2, tcp: false }), 'udp_rtt') },
      { exchange: 'DNS lookup (cached)', server: 'dns-resolver (ours)', measure: async () => values(await workload(exec, 'dns-lookup', { names: [NAME], count: n, server: 'resolver' }), 'dns_latency') },
      { exchange: 'DNS lookup (cached)', server: 'Unbound', measure: async () => values(await workload(exec, 'dns-lookup', { names: [NAME], count: n, server: addressOf('unbound') }), 'dns_latency') },
      { exchange: 'HTTP object (1 kB)', server: 'http-origin (ours)', measure: async () => values(await workload(exec, 'http-fetch', { url: `http://origin${PAGE}`, strategy: 'persistent', warm: true, count: objects }), 'object_time') },
      { exchange: 'HTTP object (1 kB)', server: 'nginx', measure: async () => values(await workload(exec, 'http-fetch', { url: `http://nginx${PAGE}`, strategy: 'persistent', warm: true, count: objects }), 'object_time') },
    ];
    // Unrecorded first pass: caches filled, connections and ARP warm, code paths compiled.
    for (const k of kinds) await k.measure();
    const series: Series[] = kinds.map((k) => ({ exchange: k.exchange, server: k.server, samples: [] }));
    const floor: number[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      signal.throwIfAborted();
      floor.push(...(await pingSamples(exec, addressOf('resolver'), n)), ...(await pingSamples(exec, addressOf('origin'), n)));
      // Ours and the reference of each kind back to back, their order flipped every other round.
      const order = round % 2 === 1 ? kinds.map((_, i) => i) : kinds.map((_, i) => i).reverse();
      for (const i of order) series[i]!.samples.push(...(await kinds[i]!.measure()));
      log(`round ${round}/${options.rounds} done`);
    }
    return { report: render(series, floor), figures: { rounds: options.rounds, samples: n, floor, series } };
  },
}).then((code) => { process.exitCode = code; });
