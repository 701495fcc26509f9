import type { Clock } from '../../../images/agent/src/sip/clock.js';

/** A clock that moves only when told: timers fire in time order during advance(). */
export class FakeClock implements Clock {
  private t = 0;
  private timers: { at: number; seq: number; fire: () => void }[] = [];
  private seq = 0;

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fire: () => void): () => void {
    const timer = { at: this.t + ms, seq: this.seq++, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fire();
    }
    this.t = end;
  }

  get pending(): number {
    return this.timers.length;
  }
}
