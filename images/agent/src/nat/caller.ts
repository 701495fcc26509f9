// Placing a call: the paths call-strategy.ts says to try, each set up for real —
//   direct      ring the callee through the directory, then send to its registered address;
//   hole-punch  ring it asking it to punch: both send connectivity checks (STUN Binding) to the
//               other's observed address at once, so each NAT sees outgoing traffic to the other
//               before the other's packets arrive; a check from a new port (a symmetric NAT)
//               is answered and then checked back (ICE's peer-reflexive candidate);
//   relay       allocate on the relay, ring the callee with the relayed address, permit its IP,
//               and wait for its hello through the relay —
// then a media-like stream over the path that worked, every packet echoed by the callee.
import { afterAttempt, nextPath, startCall, type Attempt, type CallState, type Path, type Strategy } from './call-strategy.js';
import { decodeMedia, encodeMedia, mediaStats, type MediaStats } from './media.js';
import { callAttribute, readCall, type CallPeer } from './peer.js';
import { Method, type Address } from './stun.js';
import { TurnClient } from './turn-client.js';

export interface CallOptions {
  callee: string;
  strategy: Strategy;
  call: number;
  relay?: Address;
  count: number;
  intervalMs: number;
  size: number;
  /** How long each path may take to show it works. */
  timeouts: Record<Path, number>;
}

export interface CallResult {
  callee: string;
  outcome: Path | 'failed';
  attempts: Attempt[];
  setupMs: number;
  media?: MediaStats;
  /** UDP bytes between caller and relay, both ways, TURN framing included (0 off the relay). */
  relayBytes: number;
}

interface Established { send(data: Buffer): void; onPacket(listener: (data: Buffer) => void): () => void; close(): Promise<void>; relay?: TurnClient }
type Tried = { ok: true; path: Established } | { ok: false; reason: string };

export async function placeCall(peer: CallPeer, o: CallOptions, now: () => number): Promise<CallResult> {
  const start = now();
  let state: CallState = startCall(o.strategy);
  let path: Established | undefined;
  for (let next = nextPath(state); next !== undefined; next = nextPath(state)) {
    const began = now();
    const tried = await attempt(peer, next, o);
    state = afterAttempt(state, { path: next, ok: tried.ok, ms: now() - began, ...(tried.ok ? {} : { reason: tried.reason }) });
    if (tried.ok) path = tried.path;
  }
  const setupMs = now() - start;
  if (!path) return { callee: o.callee, outcome: 'failed', attempts: state.attempts, setupMs, relayBytes: 0 };
  const media = await stream(path, o, now);
  const relayBytes = path.relay ? path.relay.bytes.sent + path.relay.bytes.received : 0;
  await path.close();
  return { callee: o.callee, outcome: state.outcome!, attempts: state.attempts, setupMs, media, relayBytes };
}

async function attempt(peer: CallPeer, path: Path, o: CallOptions): Promise<Tried> {
  const timeout = o.timeouts[path];
  if (path === 'relay') return relayed(peer, o, timeout);
  const rung = await peer.connect(o.callee, o.call, path, timeout);
  if (!rung.ok) return { ok: false, reason: `directory:${rung.reason}` };
  const target = path === 'direct' ? await probeDirect(peer, rung.address, o.call, timeout) : await punch(peer, rung.address, o, timeout);
  return target ? { ok: true, path: onSocket(peer, target) } : { ok: false, reason: 'timeout' };
}

/** Media pings to the callee's registered address until one comes back. */
function probeDirect(peer: CallPeer, to: Address, call: number, timeoutMs: number): Promise<Address | undefined> {
  return untilFirst<Address>(timeoutMs, (settle) => {
    let seq = 0;
    const ping = () => peer.send(encodeMedia({ kind: 'ping', call: setupCall(call), seq: seq++, sentAt: 0 }), to);
    ping();
    const timer = setInterval(ping, 20);
    const off = peer.onMedia((p, from) => p.kind === 'pong' && p.call === setupCall(call) && settle(from));
    return () => (clearInterval(timer), off());
  });
}

function punch(peer: CallPeer, to: Address, o: CallOptions, timeoutMs: number): Promise<Address | undefined> {
  const check = (target: Address, ms: number) => peer.transport.request(target, Method.Binding, [callAttribute(o.call, 'hole-punch', peer.user)], { timeoutMs: ms, rtoMs: 20 });
  return untilFirst<Address>(timeoutMs, (settle) => {
    void check(to, timeoutMs).then((a) => a?.message.cls === 'success' && settle(to));
    const off = peer.onBinding((m, from) => {
      if (readCall(m)?.call !== o.call || (from.address === to.address && from.port === to.port)) return;
      void check(from, 1000).then((a) => a?.message.cls === 'success' && settle(from));
    });
    return off;
  });
}

async function relayed(peer: CallPeer, o: CallOptions, timeoutMs: number): Promise<Tried> {
  if (!o.relay) return { ok: false, reason: 'no-relay-configured' };
  let turn: TurnClient;
  try {
    turn = await TurnClient.allocate(o.relay, timeoutMs);
  } catch {
    return { ok: false, reason: 'allocate-failed' };
  }
  const rung = await peer.connect(o.callee, o.call, 'relay', timeoutMs, turn.relayed);
  if (!rung.ok) {
    await turn.release();
    return { ok: false, reason: `directory:${rung.reason}` };
  }
  try {
    await turn.permit(rung.address.address, timeoutMs);
  } catch {
    await turn.release();
    return { ok: false, reason: 'permission-refused' };
  }
  const listeners = new Set<(data: Buffer, from: Address) => void>();
  turn.onPeerData((data, from) => listeners.forEach((l) => l(data, from)));
  const callee = await untilFirst<Address>(timeoutMs, (settle) => {
    const l = (data: Buffer, from: Address) => decodeMedia(data)?.kind === 'hello' && settle(from);
    listeners.add(l);
    return () => listeners.delete(l);
  });
  if (!callee) {
    await turn.release();
    return { ok: false, reason: 'timeout' };
  }
  return {
    ok: true,
    path: {
      relay: turn,
      send: (data) => turn.sendTo(callee, data),
      onPacket(listener) {
        const l = (data: Buffer) => listener(data);
        listeners.add(l);
        return () => listeners.delete(l);
      },
      close: () => turn.release(),
    },
  };
}

function onSocket(peer: CallPeer, target: Address): Established {
  return {
    send: (data) => peer.send(data, target),
    onPacket(listener) {
      return peer.onMedia((p) => p.kind === 'pong' && listener(encodeMedia(p)));
    },
    close: async () => {},
  };
}

/** `count` pings, one every intervalMs on a fixed schedule; then a second for the last answers. */
async function stream(path: Established, o: CallOptions, now: () => number): Promise<MediaStats> {
  const rtts: (number | undefined)[] = new Array<number | undefined>(o.count).fill(undefined);
  const off = path.onPacket((data) => {
    const p = decodeMedia(data);
    if (p?.kind === 'pong' && p.call === o.call && p.seq < o.count) rtts[p.seq] ??= now() - p.sentAt;
  });
  const begin = now();
  for (let seq = 0; seq < o.count; seq++) {
    const wait = begin + seq * o.intervalMs - now();
    if (wait > 0) await sleep(wait);
    path.send(encodeMedia({ kind: 'ping', call: o.call, seq, sentAt: now() }, o.size));
  }
  await sleep(1000);
  off();
  return mediaStats(o.count, rtts);
}

// Probes before the stream carry their own call number, so a late probe answer is never a media sample.
const setupCall = (call: number) => (call ^ 0x80000000) >>> 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `setup` until it settles with a value or the time is up; its return value tears it down. */
function untilFirst<T>(timeoutMs: number, setup: (settle: (v: T) => void) => () => unknown): Promise<T | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: T | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      teardown();
      resolve(v);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const teardown = setup((v) => finish(v));
  });
}
