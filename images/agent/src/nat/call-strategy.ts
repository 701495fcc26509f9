// Which paths a call tries, in which order, and what it ends with: pure, so the order the
// lecture describes (talk directly when you can, punch through the NATs when both must open
// them, fall back to the relay when nothing else works) is unit-tested on its own.

export const STRATEGIES = ['direct', 'hole-punch', 'relay', 'auto'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export type Path = Exclude<Strategy, 'auto'>;

/** Numbers for the `p2p_path` metric (0: no path). */
export const PATH_CODE: Record<Path | 'failed', number> = { failed: 0, direct: 1, 'hole-punch': 2, relay: 3 };

export interface Attempt { path: Path; ok: boolean; ms: number; reason?: string }

export interface CallState {
  pending: Path[];
  attempts: Attempt[];
  /** Set once the call is decided: the path that worked, or 'failed'. */
  outcome?: Path | 'failed';
}

export function parseStrategy(v: unknown): Strategy {
  if (typeof v === 'string' && (STRATEGIES as readonly string[]).includes(v)) return v as Strategy;
  throw new Error(`argument "strategy" must be one of [${STRATEGIES.join(', ')}], found ${JSON.stringify(v)}`);
}

export function startCall(strategy: Strategy): CallState {
  return { pending: strategy === 'auto' ? ['direct', 'hole-punch', 'relay'] : [strategy], attempts: [] };
}

/** The path to try now, or undefined once the call is decided. */
export function nextPath(state: CallState): Path | undefined {
  return state.outcome === undefined ? state.pending[0] : undefined;
}

/** The state after the current attempt ended: a success decides the call; a failure moves on, and the last failure fails it. */
export function afterAttempt(state: CallState, attempt: Attempt): CallState {
  const current = nextPath(state);
  if (current !== attempt.path) throw new Error(`attempt for ${attempt.path} reported while ${current ?? 'no path'} was being tried`);
  const pending = state.pending.slice(1);
  const attempts = [...state.attempts, attempt];
  if (attempt.ok) return { pending: [], attempts, outcome: attempt.path };
  return { pending, attempts, outcome: pending.length === 0 ? 'failed' : undefined };
}

/** `direct:failed:1001,hole-punch:ok:46`: every attempt in one CSV-friendly word. */
export const describeAttempts = (attempts: Attempt[]): string => attempts.map((a) => `${a.path}:${a.ok ? 'ok' : 'failed'}:${Math.round(a.ms)}`).join(',');
