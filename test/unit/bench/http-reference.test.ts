// The pure half of `npm run bench:http`: nginx's configuration, wrk's command and script, wrk's report parsed.
import { describe, expect, it } from 'vitest';
import { nginxConf, parseWrk, wrkArgv, wrkScript, wrkTime } from '../../../orchestrator/bench/http-reference.js';

// wrk 4.1.0 (Debian 12), as printed with --latency.
const WRK = `Running 10s test @ http://10.213.0.3/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.31ms  512.00us  19.00ms   80.00%
    Req/Sec    21.87k     1.20k   23.00k    70.00%
  Latency Distribution
     50%    2.20ms
     75%    2.50ms
     90%  810.00us
     99%    1.02s
  217650 requests in 10.00s, 270.12MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 12
Requests/sec:  21764.02
Transfer/sec:     27.01MB
`;

describe('wrk report', () => {
  it('reads requests, rate, bytes, latency percentiles in ms, errors', () => {
    const r = parseWrk(WRK);
    expect(r).toMatchObject({ requests: 217650, runSeconds: 10, rps: 21764.02, latencyAvgMs: 2.31, socketErrors: 5, non2xx: 12 });
    expect(r.bytesRead).toBeCloseTo(270.12 * 1024 * 1024, 0);
    expect(r.latencyMs).toEqual({ 50: 2.2, 75: 2.5, 90: 0.81, 99: 1020 });
  });

  it('a clean run has no error lines: zero errors, not a failure', () => {
    const clean = WRK.replace(/ {2}Socket errors.*\n/, '').replace(/ {2}Non-2xx.*\n/, '');
    expect(parseWrk(clean)).toMatchObject({ socketErrors: 0, non2xx: 0 });
  });

  it('names what is missing from a report it cannot read', () => {
    expect(() => parseWrk('unable to connect to 10.213.0.3:80 Connection refused')).toThrow(/no "N requests in T, B read" line/);
    expect(() => parseWrk(WRK.replace(/Requests\/sec.*\n/, ''))).toThrow(/no "Requests\/sec" line/);
    expect(wrkTime('512.00us')).toBeCloseTo(0.512, 9);
    expect(() => wrkTime('5 parsecs')).toThrow(/not a wrk duration/);
  });
});

describe('the command and nginx', () => {
  it('wrk pinned to a CPU, with the request script', () => {
    expect(wrkArgv({ url: 'http://10.0.0.3/', seconds: 10, connections: 50, threads: 1, script: '/tmp/s.lua', cpu: 1 })).toEqual(['taskset', '-c', '1', 'wrk', '-t', '1', '-c', '50', '-d', '10s', '--latency', '-s', '/tmp/s.lua', 'http://10.0.0.3/']);
    expect(wrkScript(100)).toContain('i = (i % 100) + 1');
  });

  it('nginx: one worker, proxy_cache in front of the origin, kept-alive upstream, freshness from the origin', () => {
    const conf = nginxConf({ address: '10.0.0.4', port: 80, origin: '10.0.0.2:80', dir: '/tmp/n' });
    expect(conf).toMatch(/^worker_processes 1;$/m);
    expect(conf).toContain('listen 10.0.0.4:80;');
    expect(conf).toContain('upstream origin { server 10.0.0.2:80; keepalive 16; }');
    expect(conf).toContain('proxy_cache bench;');
    expect(conf).toContain('proxy_cache_path /tmp/n/cache');
    expect(conf).not.toContain('proxy_cache_valid');
    // Balanced braces: nginx -t would say so too, but only in a container.
    expect(conf.split('{').length).toBe(conf.split('}').length);
  });
});
