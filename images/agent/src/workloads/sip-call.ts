import { callControl } from '../common/control.js';
import { log, record } from '../common/records.js';
import type { Registration } from '../sip/ua.js';
import type { CallResult } from '../sip/uac-call.js';
import { numberArg, type Workload } from './workload.js';

// Calls from this node's sip-ua to other users, one after the other, placed by the UA daemon
// (which owns the SIP port and the registration) through its control socket.
// Arguments: to (a URI such as sip:bob@biloxi.lab, or a list: calls go round it), count (1),
// duration (ms of media once answered, 2000), interval (ms between calls, 500), timeout (ms
// without a final answer before CANCEL, 32000), register (true: a timed REGISTER before each call),
// warmup (true: an unrecorded OPTIONS to each callee first, so ARP and name lookups along the
// path are not in the first call's figures; false for peers that take only INVITEs, like SIPp's uas).
// Records per call (peer = the callee's URI): sip_register_time, sip_post_dial_delay
// (INVITE -> 180), sip_setup_time (INVITE -> 200), sip_teardown_time (BYE -> 200), and for what
// this side received: rtp_loss (%), rtp_jitter (RFC 3550, ms), rtp_delay (one-way, ms). Every
// row's detail has the call's final status; a call that is refused or never answered gives a
// sip_setup_failed row (1 call) with its status instead of sip_setup_time.

const round = (ms: number) => Math.round(ms * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const sipCall: Workload = {
  name: 'sip-call',
  async run(args) {
    const targets = targetList(args.to);
    const count = numberArg(args, 'count', 1);
    const durationMs = numberArg(args, 'duration', 2000);
    const intervalMs = numberArg(args, 'interval', 500);
    const timeoutMs = numberArg(args, 'timeout', 32_000);
    const register = args.register ?? true;
    const warmup = args.warmup ?? true;
    if (!Number.isInteger(count) || count < 1 || durationMs < 0 || intervalMs < 0 || timeoutMs <= 0) throw new Error('sip-call needs a whole count >= 1, duration >= 0, interval >= 0 and timeout > 0');
    for (const [key, v] of [['register', register], ['warmup', warmup]] as const) {
      if (typeof v !== 'boolean') throw new Error(`argument "${key}" must be true or false, found ${JSON.stringify(v)}`);
    }
    log(`sip-call: ${count} call(s) to [${targets.join(', ')}], ${durationMs} ms each`);
    if (warmup) {
      for (const to of new Set(targets)) {
        const r = (await callControl({ op: 'sip-options', to })) as { status: number; ms: number };
        log(`sip-call: warm-up OPTIONS ${to}: ${r.status} in ${r.ms.toFixed(1)} ms`);
      }
    }
    for (let seq = 1; seq <= count; seq++) {
      const to = targets[(seq - 1) % targets.length]!;
      if (register) {
        const r = (await callControl({ op: 'sip-register' })) as Registration;
        record('sip_register_time', round(r.ms), 'ms', { peer: to, seq, detail: `status=${r.status}` });
        if (r.status >= 300) throw new Error(`REGISTER failed with ${r.status} ${r.reason}: this UA cannot place calls`);
      }
      const c = (await callControl({ op: 'sip-call', to, durationMs, timeoutMs })) as CallResult;
      log(`sip-call: ${to}: ${c.status} ${c.reason}${c.setupMs === undefined ? '' : ` setup ${c.setupMs.toFixed(1)} ms`}`);
      recordCall(c, seq);
      if (intervalMs > 0 && seq < count) await sleep(intervalMs);
    }
  },
};

function recordCall(c: CallResult, seq: number): void {
  const detail = `status=${c.status}`;
  const extra = { peer: c.to, seq, detail };
  if (c.postDialDelayMs !== undefined) record('sip_post_dial_delay', round(c.postDialDelayMs), 'ms', extra);
  if (c.status >= 200 && c.status < 300 && c.setupMs !== undefined) record('sip_setup_time', round(c.setupMs), 'ms', extra);
  else record('sip_setup_failed', 1, 'call', { ...extra, detail: `status=${c.status} reason=${c.reason.replace(/\s+/g, '_')}` });
  if (c.teardownMs !== undefined) record('sip_teardown_time', round(c.teardownMs), 'ms', { ...extra, detail: `status=${c.byeStatus ?? 0}` });
  const m = c.media;
  if (m) {
    const media = { ...extra, detail: `${detail} received=${m.received} expected=${m.expected} sent=${m.sent}` };
    record('rtp_loss', round(m.lossPct), '%', media);
    if (m.received > 1) record('rtp_jitter', round(m.jitterMs), 'ms', media);
    if (m.delayMs !== undefined) record('rtp_delay', round(m.delayMs), 'ms', media);
  }
}

function targetList(v: unknown): string[] {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
  if (!list || list.length === 0 || !list.every((t) => typeof t === 'string' && /^sips?:/i.test(t))) {
    throw new Error(`argument "to" must be a SIP URI such as "sip:bob@biloxi.lab" or a list of them, found ${JSON.stringify(v)}`);
  }
  return list as string[];
}
