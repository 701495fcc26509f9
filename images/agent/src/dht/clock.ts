// Time as the DHT sees it: injected, so unit tests drive pings, stabilisation and finger repair
// with a fake clock instead of waiting.

export interface Clock {
  /** Milliseconds, monotonic; only differences matter. */
  now(): number;
  /** Runs `task` every `ms`, never two at once (a slow round delays the next); returns a cancel. */
  every(ms: number, task: () => Promise<void>): () => void;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Number(process.hrtime.bigint()) / 1e6,
  every(ms, task) {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const tick = () => {
      task()
        .catch(() => undefined)
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, ms);
        });
    };
    timer = setTimeout(tick, ms);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
