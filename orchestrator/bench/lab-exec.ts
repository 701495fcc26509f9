// Driving a bench lab's nodes: commands that fail loudly and stop at once on Ctrl-C, files
// written from argv (nothing expanded), CPU time read from /proc, and static ARP entries.
import path from 'node:path';
import * as api from '../api.js';
import type { Lab } from '../deploy/lab.js';
import { loadTopology } from '../topology/load.js';
import { cpuTicks } from './dns-reference.js';

export type Exec = (node: string, argv: string[]) => Promise<string>;

/** api.exec that fails on a non-zero exit and gives up at once on Ctrl-C (the lab's removal ends the command). */
export function executor(ctx: api.Context, lab: string, signal: AbortSignal): Exec {
  return async (node, argv) => {
    const running = api.exec(lab, node, argv, ctx);
    running.catch(() => {}); // when abandoned on abort, its later failure is expected
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const r = await Promise.race([running, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
    if (r.exitCode !== 0) throw new Error(`${node}: \`${argv.join(' ').slice(0, 120)}\` exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    return r.stdout + r.stderr;
  };
}

/** Writes `text` to `file` in a node; argv, not a here-document, so nothing in the text is expanded. */
export const writeNodeFile = (exec: Exec, node: string, file: string, text: string) => exec(node, ['sh', '-c', 'mkdir -p "$(dirname "$2")" && printf %s "$1" > "$2"', 'sh', text, file]);

/** CPU seconds (user + system) used so far by a node's processes whose name matches `comm`. */
export async function cpuSecondsOf(exec: Exec, node: string, procs: { glob: string; comm: RegExp }): Promise<number> {
  const out = await exec(node, ['sh', '-c', `getconf CLK_TCK; for f in ${procs.glob}; do cat "$f" 2>/dev/null; echo; done`]);
  const [hz, ...stats] = out.split('\n');
  return cpuTicks(stats.join('\n'), procs.comm) / (Number(hz) || 100);
}

/**
 * Static ARP entries between every pair of the lab's nodes: the kernel's neighbour table is
 * shared by every network namespace, and when other labs fill it an entry that expires mid-run
 * cannot be recreated (see bench:dns). Permanent entries are exempt from that limit.
 */
export async function pinNeighbours(exec: Exec, nodes: { node: string; address: string }[]): Promise<void> {
  const links = await Promise.all(nodes.map(async (n) => {
    const out = await exec(n.node, ['sh', '-c', 'd=$(ip -o -4 addr show to "$1" | awk \'{ print $2 }\'); echo "$d $(cat /sys/class/net/$d/address)"', 'sh', n.address]);
    const [dev, mac] = out.trim().split(' ');
    if (!dev || !mac) throw new Error(`${n.node}: no interface holds ${n.address}`);
    return { ...n, dev, mac };
  }));
  for (const self of links) {
    const others = links.filter((o) => o !== self).map((o) => `ip neigh replace ${o.address} lladdr ${o.mac} dev ${self.dev} nud permanent`);
    await exec(self.node, ['sh', '-c', others.join(' && ')]);
  }
}

/** Destroys this bench's labs (those named with its prefix); nothing else on the engine is touched. */
export async function removeLabs(ctx: api.Context, prefix: string): Promise<void> {
  const labs = (await api.inspect(undefined, ctx)).map((l) => l.lab).filter((name) => name.startsWith(prefix));
  for (const lab of labs) await api.destroy(lab, ctx);
}

export interface BenchLab { lab: Lab; exec: Exec; addressOf(node: string): string }

/** Deploys a bench's topology file (its lab name must carry the bench's prefix) and drives it. */
export async function deployBenchLab(ctx: api.Context, file: string, prefix: string, log: (line: string) => void, signal: AbortSignal): Promise<BenchLab> {
  const topology = await loadTopology(file, {});
  if (!topology.name.startsWith(prefix)) throw new Error(`${file}: the lab name must start with "${prefix}" (found "${topology.name}")`);
  log(`Deploying lab ${topology.name} (${path.relative(process.cwd(), file)})…`);
  const lab = await api.deploy(topology, ctx);
  log(`Deployed lab ${lab.name} in ${(lab.timings.totalMs / 1000).toFixed(1)} s (${lab.image})`);
  const addressOf = (node: string) => {
    const address = lab.nodes.find((n) => n.name === node)?.interfaces[0]?.address;
    if (!address) throw new Error(`${file}: lab has no node "${node}" with an address`);
    return address;
  };
  return { lab, exec: executor(ctx, lab.name, signal), addressOf };
}
