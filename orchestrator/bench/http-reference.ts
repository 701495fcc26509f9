// The pure half of `npm run bench:http`: nginx's configuration (a proxy_cache in front of the
// same origin our reverse proxy fronts), the wrk command and its Lua request script, and wrk's
// report parsed. Text in, text out: unit-tested without Docker (test/unit/bench/http-reference.test.ts).

export interface NginxOptions { address: string; port: number; origin: string; dir: string }

/**
 * nginx.conf: one worker (ours is one event loop), a proxy_cache in front of the origin, kept-alive
 * upstream connections (ours pools them too). Freshness comes from the origin's Cache-Control, as
 * for ours (no proxy_cache_valid override). No access log: the reference at its fastest, as NSD's
 * is in bench:dns. X-Cache-Status says HIT or MISS, checked before measuring.
 */
export function nginxConf(o: NginxOptions): string {
  return [
    'worker_processes 1;',
    'daemon on;',
    `pid ${o.dir}/nginx.pid;`,
    `error_log ${o.dir}/error.log warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${o.dir}/body;`,
    `  proxy_temp_path ${o.dir}/proxy;`,
    `  proxy_cache_path ${o.dir}/cache levels=1:2 keys_zone=bench:10m max_size=64m inactive=1h use_temp_path=off;`,
    '  keepalive_requests 1000000;',
    `  upstream origin { server ${o.origin}; keepalive 16; }`,
    '  server {',
    `    listen ${o.address}:${o.port};`,
    '    location / {',
    '      proxy_pass http://origin;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_set_header Host $host;',
    '      proxy_cache bench;',
    '      add_header X-Cache-Status $upstream_cache_status;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** wrk's Lua script: request /obj/1 … /obj/N in turn (every one a cached object). */
export function wrkScript(objects: number): string {
  return ['local i = 0', 'request = function()', `  i = (i % ${objects}) + 1`, '  return wrk.format("GET", "/obj/" .. i)', 'end', ''].join('\n');
}

export interface WrkOptions { url: string; seconds: number; connections: number; threads: number; script: string; cpu?: number }

/** wrk's argv (`cpu`: pinned to that CPU with taskset). */
export function wrkArgv(o: WrkOptions): string[] {
  const run = ['wrk', '-t', String(o.threads), '-c', String(o.connections), '-d', `${o.seconds}s`, '--latency', '-s', o.script, o.url];
  return o.cpu === undefined ? run : ['taskset', '-c', String(o.cpu), ...run];
}

export interface WrkResult {
  requests: number;
  runSeconds: number;
  bytesRead: number;
  rps: number;
  latencyAvgMs: number;
  /** Latency percentiles (50, 75, 90, 99) in ms. */
  latencyMs: Record<string, number>;
  socketErrors: number;
  /** Responses outside 2xx/3xx (wrk's "Non-2xx or 3xx responses"). */
  non2xx: number;
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** `2.31ms`, `512.00us`, `1.02s` -> ms. */
export function wrkTime(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`not a wrk duration: "${text}"`);
  return Number(m[1]) * TIME_UNITS[m[2]!]!;
}

/** Reads wrk's report; fails naming what is missing rather than returning zeros. */
export function parseWrk(output: string): WrkResult {
  const need = (label: string, re: RegExp) => {
    const m = re.exec(output);
    if (!m) throw new Error(`wrk output has no "${label}" line: ${output.trim().split('\n').slice(-6).join(' | ')}`);
    return m;
  };
  const done = need('N requests in T, B read', /(\d+) requests in ([\d.]+)(us|ms|s|m), ([\d.]+)(B|KB|MB|GB) read/);
  const latencyMs: Record<string, number> = {};
  for (const m of output.matchAll(/^\s+(50|75|90|99)%\s+([\d.]+(?:us|ms|s|m))\s*$/gm)) latencyMs[m[1]!] = wrkTime(m[2]!);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(done[1]),
    runSeconds: wrkTime(`${done[2]}${done[3]}`) / 1000,
    bytesRead: Number(done[4]) * BYTE_UNITS[done[5]!]!,
    rps: Number(need('Requests/sec', /Requests\/sec:\s+([\d.]+)/)[1]),
    latencyAvgMs: wrkTime(need('Latency', /^\s+Latency\s+([\d.]+(?:us|ms|s|m))/m)[1]!),
    latencyMs,
    socketErrors: errors ? errors.slice(1).reduce((n, x) => n + Number(x), 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0),
  };
}
