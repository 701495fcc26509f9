// Why every agent pins its ARP entries: the kernel's neighbour table is shared by every network
// namespace on the host and capped at gc_thresh3 (1024 by default, settable only on the host).
// In a lab where many members talk to many others (a 64-peer DHT needs up to 64 × 63 ≈ 4000
// entries), past the cap "neighbor table overflow" drops packets and live peers look dead. Permanent entries are exempt from the cap (Linux ≥ 5.3), so each node turns the
// entries its kernel has resolved — by a real ARP exchange, so the address is right — into
// permanent ones. They go with the container's namespace; nothing on the host changes.

/** Complete, not yet permanent entries of /proc/net/arp (flags 0x2 without ATF_PERM 0x4). */
export function unpinned(procNetArp: string): { ip: string; mac: string; dev: string }[] {
  return procNetArp
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 6)
    .flatMap(([ip, , flags, mac, , dev]) => {
      const bits = Number.parseInt(flags ?? '0', 16);
      const complete = (bits & 0x2) !== 0 && (bits & 0x4) === 0 && mac !== '00:00:00:00:00:00';
      return complete && ip && mac && dev ? [{ ip, mac, dev }] : [];
    });
}

/** `ip -batch -` input that makes them permanent. */
export const pinCommands = (entries: { ip: string; mac: string; dev: string }[]): string =>
  entries.map((e) => `neigh replace ${e.ip} lladdr ${e.mac} dev ${e.dev} nud permanent\n`).join('');

/** Runs `task` every `ms`, never two at once; returns a cancel. */
export function every(ms: number, task: () => Promise<void>): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    timer = setTimeout(() => void task().catch(() => undefined).finally(() => { if (!stopped) tick(); }), ms);
    timer.unref();
  };
  tick();
  return () => { stopped = true; clearTimeout(timer); };
}

export interface PinDeps {
  read(): Promise<string>;
  run(argv: string[], input: string): Promise<string>;
  every(ms: number, task: () => Promise<void>): () => void;
  log(message: string): void;
}

/** Checks /proc/net/arp every `ms` (a file read) and runs `ip` only when there is something to pin. */
export function startPinning(d: PinDeps, ms = 1000): () => void {
  let warned = false;
  return d.every(ms, async () => {
    const entries = unpinned(await d.read());
    if (entries.length === 0) return;
    try {
      await d.run(['ip', '-batch', '-'], pinCommands(entries));
    } catch (e) {
      if (!warned) d.log(`cannot pin ARP entries (${e instanceof Error ? e.message : String(e)}); large labs may overflow the host's neighbour table`);
      warned = true;
    }
  });
}
