// Time as the SIP state machines see it: injected, so unit tests drive retransmission timers
// without waiting (a fake clock), and agents use the real one.

export interface Clock {
  /** Milliseconds on a monotonic scale (only differences matter). */
  now(): number;
  /** Calls `fire` once after `ms`; the returned function cancels it. */
  setTimer(ms: number, fire: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Number(process.hrtime.bigint()) / 1e6,
  setTimer(ms, fire) {
    const t = setTimeout(fire, ms);
    return () => clearTimeout(t);
  },
};

/** RFC 3261 §17.1.1.1 / Table 4: the round-trip estimate, the cap of non-INVITE backoff, the longest a message lives. */
export interface TimerValues { t1: number; t2: number; t4: number }

export const DEFAULT_TIMERS: TimerValues = { t1: 500, t2: 4000, t4: 5000 };

/** A transaction's timers by name (A, B, E, …): starting one again replaces it; all go at once at the end. */
export class NamedTimers {
  private cancels = new Map<string, () => void>();

  constructor(private readonly clock: Clock) {}

  start(name: string, ms: number, fire: () => void): void {
    this.stop(name);
    this.cancels.set(name, this.clock.setTimer(ms, () => {
      this.cancels.delete(name);
      fire();
    }));
  }

  stop(name: string): void {
    this.cancels.get(name)?.();
    this.cancels.delete(name);
  }

  stopAll(): void {
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }
}
