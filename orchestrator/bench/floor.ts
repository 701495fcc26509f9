// What the deploy benchmarks share: a lab described once as a shape, written both as an emunet
// topology and as the cheapest Docker commands that create the same containers on the same
// networks (the floor), so one run can time both side by side.
import { execa } from 'execa';

/** Every floor object carries this label, so a crashed run's leftovers can be found and removed. */
export const FLOOR_LABEL = 'emunet.bench=floor';

export interface ShapeNode { name: string; role: string; networks: string[]; config?: string }
export interface LabShape { networks: string[]; nodes: ShapeNode[] }

/** The emunet topology of a shape (YAML text, as a user would write it). */
export function shapeTopology(lab: string, shape: LabShape): string {
  const lines = [`name: ${lab}`, 'networks:', ...shape.networks.map((n) => `  ${n}: {}`), 'nodes:'];
  for (const node of shape.nodes) {
    lines.push(`  ${node.name}:`, `    role: ${node.role}`, `    networks: [${node.networks.join(', ')}]`);
    if (node.config) lines.push(`    config: ${node.config}`);
  }
  return lines.join('\n') + '\n';
}

export const since = (start: number) => performance.now() - start;

/** Like Promise.all, but waits for every call to settle first: no call may outlive the cleanup. */
export async function allSettledOrThrow<T>(calls: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

export const docker = async (args: string[]) => (await execa('docker', args)).stdout;

export interface FloorSample { createMs: number; removeMs: number; totalMs: number }

/**
 * The floor: `docker network create --internal` per network, then every `docker run -d` at once
 * (same image, same capabilities, `sleep` instead of the agent; a node on several networks is
 * connected to the others as emunet does), then every container killed, waited for and removed
 * at once, and the networks.
 */
export async function floorRound(image: string, tag: string, shape: LabShape): Promise<FloorSample> {
  const netName = (n: string) => `emunet-floor-${tag}-${n}`;
  const start = performance.now();
  await allSettledOrThrow(shape.networks.map((n, i) => docker(['network', 'create', '--internal', '--label', FLOOR_LABEL, '--subnet', `10.214.${i}.0/24`, netName(n)])));
  const containers = shape.nodes.map((node) => `emunet-floor-${tag}-${node.name}`);
  await allSettledOrThrow(
    shape.nodes.map(async (node, i) => {
      const [first, ...others] = node.networks.map(netName);
      await docker(['run', '-d', '--name', containers[i]!, '--label', FLOOR_LABEL, '--network', first!, '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--entrypoint', 'sleep', image, 'infinity']);
      for (const other of others) await docker(['network', 'connect', other, containers[i]!]);
    }),
  );
  const createMs = since(start);
  const removeStart = performance.now();
  // Kill, wait, remove, as emunet's destroy does, so both sides pay for the same steps.
  await allSettledOrThrow(containers.map(async (c) => { await docker(['kill', c]); await docker(['wait', c]); await docker(['rm', c]); }));
  await allSettledOrThrow(shape.networks.map((n) => docker(['network', 'rm', netName(n)])));
  const removeMs = since(removeStart);
  return { createMs, removeMs, totalMs: createMs + removeMs };
}

/** Removes floor objects a crashed or interrupted run left (found by label only). */
export async function removeFloorLeftovers(): Promise<void> {
  const containers = (await docker(['ps', '-aq', '--filter', `label=${FLOOR_LABEL}`])).split('\n').filter(Boolean);
  if (containers.length > 0) await docker(['rm', '-f', ...containers]);
  const networks = (await docker(['network', 'ls', '-q', '--filter', `label=${FLOOR_LABEL}`])).split('\n').filter(Boolean);
  if (networks.length > 0) await docker(['network', 'rm', ...networks]);
}

/** Median and minimum (seconds in, seconds out). */
export function medianMin(values: number[]): { min: number; median: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median };
}
