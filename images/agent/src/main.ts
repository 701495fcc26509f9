// The emunet agent: PID 1 of every lab container (`agent daemon`), and the entry point the
// orchestrator execs to run a workload (`agent workload NAME JSON_ARGS`), change a link
// (`agent impair JSON`) or read the links' settings (`agent status`).
import { writeFileSync } from 'node:fs';
import type { ImpairmentBackend, ImpairmentChange } from '../../../orchestrator/impairment/spec.js';
import { readFile } from 'node:fs/promises';
import { callControl, serveControl } from './common/control.js';
import { every, startPinning } from './common/neighbours.js';
import { readNodeConfig } from './common/node-config.js';
import { ImpairmentController } from './impairment/controller.js';
import { emit, log } from './common/records.js';
import { run } from './common/run.js';
import { roles } from './roles/index.js';
import { workloads } from './workloads/index.js';

async function daemon(): Promise<void> {
  const started = Date.now();
  const node = readNodeConfig(process.env);
  const role = roles.get(node.role);
  if (!role) throw new Error(`role "${node.role}" is not built into this agent image; known: [${[...roles.keys()].join(', ')}]`);
  // Docker gives every container a default route to the host's bridge. A lab is hermetic
  // (DESIGN.md contract 2): only the lab's own subnets are reachable, anything else fails
  // at once with "network unreachable" instead of touching the host.
  await run(['ip', '-4', 'route', 'flush', 'exact', '0.0.0.0/0']);
  for (const route of node.routes) {
    await run(['ip', 'route', 'replace', route.destination, 'via', route.via]);
  }
  // Docker's resolv.conf names its embedded DNS, which forwards to the host's resolvers: out of
  // the lab. Names resolve through the lab's resolver, or from /etc/hosts alone.
  writeFileSync('/etc/resolv.conf', node.resolver ? `# emunet: the lab's resolver\nnameserver ${node.resolver}\n` : '# emunet: no lab resolver; lab names resolve from /etc/hosts\n');
  let impairment = await ImpairmentController.create(node);
  await serveControl(async (request) => {
    if (request.op === 'status') return { node: node.node, backend: node.impairment?.backend ?? 'none', links: impairment?.status() ?? [] };
    if (request.op !== 'impair') {
      // Role-specific requests (e.g. dns-stats, dns-flush) go to the role.
      if (role.control) return role.control(request);
      throw new Error(`unknown control request ${JSON.stringify(request.op)}`);
    }
    const { network, change, target, backend, seed } = request as unknown as ImpairRequest;
    // A lab deployed without impairment gets its backend with the first change.
    impairment ??= await ImpairmentController.create({ ...node, impairment: { backend, seed: seed ?? 1 } });
    return { node: node.node, network, impairment: await impairment!.change(network, change, target, seed) };
  });
  const unpin = startPinning({ read: () => readFile('/proc/net/arp', 'utf8'), run, every, log });
  const stop = await role.start(node);
  emit({ type: 'ready', node: node.node, role: node.role, startupMs: Date.now() - started });
  // Docker stops containers with SIGTERM; as PID 1 we get no default handler, so exit explicitly.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => { unpin(); stop(); impairment?.stop(); process.exit(0); });
  }
}

interface ImpairRequest { network: string; change: ImpairmentChange; target?: string; backend: ImpairmentBackend; seed?: number }

async function workload(name: string | undefined, rawArgs: string | undefined): Promise<void> {
  const w = name ? workloads.get(name) : undefined;
  if (!w) throw new Error(`unknown workload "${name}"; known workloads are [${[...workloads.keys()].join(', ')}]`);
  const args = rawArgs ? (JSON.parse(rawArgs) as Record<string, unknown>) : {};
  await w.run(args);
}

/** `agent impair JSON`: asks the daemon to change one interface's impairment; prints the result. */
async function impair(rawRequest: string | undefined): Promise<void> {
  const result = await callControl({ op: 'impair', ...(JSON.parse(rawRequest ?? '{}') as object) });
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function status(): Promise<void> {
  process.stdout.write(JSON.stringify(await callControl({ op: 'status' })) + '\n');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'status') return status();
  if (command === 'daemon') return daemon();
  if (command === 'workload') return workload(rest[0], rest[1]);
  if (command === 'impair') return impair(rest[0]);
  throw new Error(`usage: agent daemon | agent workload NAME [JSON_ARGS] | agent impair JSON | agent status`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  emit({ type: 'error', message });
  log(`fatal: ${message}`);
  process.exit(1);
});
