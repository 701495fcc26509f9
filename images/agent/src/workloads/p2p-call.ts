import { lookup } from 'node:dns/promises';
import { callControl } from '../common/control.js';
import { log, record } from '../common/records.js';
import { mulberry32 } from '../common/random.js';
import { PATH_CODE, describeAttempts, parseStrategy } from '../nat/call-strategy.js';
import type { CallResult } from '../nat/caller.js';
import { STUN_PORT } from '../nat/config.js';
import { numberArg, stringArg, type Workload } from './workload.js';

// Calls a user by name from this node's call-peer (which owns the registered port), the way the
// lecture's Skype does: the directory finds the callee, then the call takes the first path that
// works. Arguments: callee (a user name), strategy (direct | hole-punch | relay | auto: direct ->
// punch -> relay; default auto), relay (a node; default the peer's config), calls (1), count
// (media packets per call, 150), rate (packets/s, 50), size (bytes, 172), timeout (ms each path
// may take, 2000), interval (ms between calls, 500), seed (call ids).
// Records per call (peer = the callee): p2p_path (0 failed, 1 direct, 2 hole-punch, 3 relay),
// p2p_setup_time (ms from the first ring to a working path, failed attempts included),
// p2p_attempt_time (one per path tried), and over the media stream p2p_rtt (mean), p2p_jitter
// (mean |ΔRTT|), p2p_loss (%), p2p_relay_bytes (caller <-> relay, both ways). Every row's detail
// names the path and the attempts, e.g. `path=relay attempts=direct:failed:2001,hole-punch:failed:2003,relay:ok:12`.

const round = (ms: number) => Math.round(ms * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const p2pCall: Workload = {
  name: 'p2p-call',
  async run(args) {
    const callee = stringArg(args, 'callee');
    const strategy = parseStrategy(args.strategy ?? 'auto');
    const calls = numberArg(args, 'calls', 1);
    const count = numberArg(args, 'count', 150);
    const rate = numberArg(args, 'rate', 50);
    const size = numberArg(args, 'size', 172);
    const timeout = numberArg(args, 'timeout', 2000);
    const interval = numberArg(args, 'interval', 500);
    const random = mulberry32(numberArg(args, 'seed', 1));
    if (![calls, count].every((n) => Number.isInteger(n) && n >= 1) || rate <= 0 || size < 24 || size > 1400 || timeout <= 0 || interval < 0) {
      throw new Error('p2p-call needs whole calls >= 1 and count >= 1, rate > 0, size 24..1400, timeout > 0 and interval >= 0');
    }
    const relay = typeof args.relay === 'string' ? { address: (await lookup(args.relay, { family: 4 })).address, port: STUN_PORT } : undefined;
    for (let seq = 1; seq <= calls; seq++) {
      const options = { callee, strategy, call: Math.floor(random() * 0x7fffffff), relay, count, intervalMs: 1000 / rate, size, timeouts: { direct: timeout, 'hole-punch': timeout, relay: timeout } };
      const result = (await callControl({ op: 'p2p-call', options })) as CallResult;
      log(`p2p-call: ${callee} (${strategy}): ${result.outcome} after ${result.setupMs.toFixed(1)} ms [${describeAttempts(result.attempts)}]${result.media?.rttMeanMs === undefined ? '' : `, rtt ${result.media.rttMeanMs.toFixed(1)} ms`}`);
      recordCall(result, seq, strategy);
      if (interval > 0 && seq < calls) await sleep(interval);
    }
  },
};

function recordCall(r: CallResult, seq: number, strategy: string): void {
  const detail = `path=${r.outcome} strategy=${strategy} attempts=${describeAttempts(r.attempts)}`;
  const extra = { peer: r.callee, seq, detail };
  record('p2p_path', PATH_CODE[r.outcome], 'path', extra);
  for (const a of r.attempts) record('p2p_attempt_time', round(a.ms), 'ms', { ...extra, detail: `path=${a.path} outcome=${a.ok ? 'ok' : 'failed'}${a.reason ? ` reason=${a.reason}` : ''}` });
  if (r.outcome === 'failed') return;
  record('p2p_setup_time', round(r.setupMs), 'ms', extra);
  const m = r.media;
  if (!m) return;
  const media = { ...extra, detail: `${detail} sent=${m.sent} received=${m.received}${m.rttP50Ms === undefined ? '' : ` p50=${round(m.rttP50Ms)} min=${round(m.rttMinMs!)} max=${round(m.rttMaxMs!)}`}` };
  record('p2p_loss', round(m.lossPct), '%', media);
  if (m.rttMeanMs !== undefined) record('p2p_rtt', round(m.rttMeanMs), 'ms', media);
  if (m.jitterMs !== undefined) record('p2p_jitter', round(m.jitterMs), 'ms', media);
  record('p2p_relay_bytes', r.relayBytes, 'bytes', media);
}
