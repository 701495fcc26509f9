// The only place that reads process.argv / process.env: everything below gets explicit values.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { stringify } from 'csv-stringify/sync';
import { Command, CommanderError } from 'commander';
import Docker from 'dockerode';
import * as api from '../api.js';
import { doctor } from '../doctor.js';
import { baseTag } from '../images/base.js';
import type { Cluster } from '../swarm/cluster.js';
import { swarmChecks } from '../swarm/doctor.js';
import { HostEngine } from '../swarm/engines.js';
import { engineKind, openCluster, type EngineFlags, type EngineKind } from './engine.js';
import { emunetVersion } from '../version.js';
import { cliReporter } from './reporter.js';
import { filterRuns, planRuns } from '../experiment/plan.js';
import { allActions } from '../experiment/runner.js';
import type { BackendRequest } from '../impairment/backend.js';
import { parseSettings, type ImpairmentSettings } from '../impairment/settings.js';
import type { ImpairmentChange } from '../impairment/spec.js';
import { parseDuration } from '../impairment/units.js';
import { describeError } from './errors.js';
import { table } from './table.js';
import type { LabPlan } from '../topology/types.js';
import type { SummaryRow } from '../results/summary.js';
import { topologySchema } from '../topology/schema.js';
import { GRAPH_FORMATS } from '../report/graph.js';

type Env = Record<string, string | undefined>;

export async function main(argv: string[], env: Env): Promise<number> {
  const out = process.stdout;
  // `emunet exec … | head`: the reader went away; that ends our output, it is not a failure.
  out.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); else throw e; });
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping and cleaning up… (again to force)\n`);
    if (abort.signal.aborted) process.exit(130);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // dockerode reads DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH itself.
  const local = new HostEngine('local', env.DOCKER_HOST ?? 'unix:///var/run/docker.sock', {}, new Docker());
  const runtime = local.runtime;
  let cluster: Cluster | undefined;
  const useEngine = async (topologyEngine?: EngineKind) => {
    const flags = program.opts<EngineFlags>();
    if (!cluster && engineKind(flags, env, topologyEngine) === 'swarm') cluster = await openCluster(flags, env, local);
  };
  const context = (opts: { json?: boolean; offline?: boolean; impairmentBackend?: string }): api.Context => ({
    ...api.contextDefaults(runtime, env.USER ?? os.userInfo().username),
    ...(cluster ? { runtime: cluster.runtime, cluster } : {}),
    reporter: cliReporter(process.stderr, opts.json === true),
    offline: opts.offline === true || env.EMUNET_OFFLINE === '1',
    impairmentBackend: backendRequest(opts.impairmentBackend ?? env.EMUNET_IMPAIRMENT_BACKEND ?? 'auto'),
    signal: abort.signal,
  });
  const print = (json: boolean, data: unknown, text: () => string) => out.write((json ? JSON.stringify(data, null, 2) : text()) + '\n');
  let exitCode = 0;

  const program = new Command('emunet')
    .description('YAML topology -> hermetic Docker lab -> experiment -> CSV')
    .version(emunetVersion)
    .exitOverride()
    .showHelpAfterError()
    .option('--engine <engine>', 'local (default) | swarm: overlay networks on a Docker Swarm, nodes across its hosts (or EMUNET_ENGINE)')
    .option('--hosts <file>', 'Swarm hosts file: the Docker engines a lab may span; implies --engine swarm (or EMUNET_HOSTS)')
    .hook('preAction', () => useEngine());

  program.command('validate <topology>').description('check a topology file and show the planned lab').option('--json', 'machine-readable output').option(SET_FLAG, SET_HELP, collect, []).action(async (file: string, o: { json?: boolean; set: string[] }) => {
    const { topology, plan } = await api.validate(file, env, undefined, o.set);
    print(!!o.json, plan, () => `✔ ${topology.file} is valid: lab ${plan.lab}, ${plan.nodes.length} nodes, ${plan.networks.length} networks\n\n${planTable(plan)}`);
  });

  program.command('deploy <topology>').description('build the lab and wait until every agent is ready').option('--json').option('--offline', 'never try the registry for the base image').option(BACKEND_FLAG, BACKEND_HELP).option(SET_FLAG, SET_HELP, collect, []).action(async (file: string, o: { json?: boolean; offline?: boolean; set: string[] }) => {
    const topology = (await api.validate(file, env, undefined, o.set)).topology;
    await useEngine(topology.engine);
    const lab = await api.deploy(topology, context(o));
    print(!!o.json, lab, () => `${planTable(lab.plan)}\n\nnext: emunet exec ${lab.name} ${lab.nodes[0]?.name ?? 'NODE'} -- ip route   ·   emunet destroy ${lab.name}`);
  });

  program.command('inspect [lab]').description('show running labs, from labels alone').option('--json').option('--stats', 'also each container\'s memory in use').action(async (lab: string | undefined, o: { json?: boolean; stats?: boolean }) => {
    const labs = await api.inspect(lab, context(o), { stats: o.stats === true });
    const mb = (bytes?: number) => (bytes === undefined ? '-' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
    print(!!o.json, labs, () =>
      labs.length === 0
        ? lab ? `no lab "${lab}" is running` : 'no emunet lab is running'
        : labs.map((l) => {
          const nodes = table(['node', 'role', 'state', 'addresses', ...(o.stats ? ['memory'] : [])], l.nodes.map((n) => [n.node, n.role, n.state, n.addresses.join(' '), ...(o.stats ? [mb(n.memoryBytes)] : [])]));
          const used = l.nodes.flatMap((n) => (n.memoryBytes === undefined ? [] : [n.memoryBytes]));
          const total = o.stats && used.length > 0 ? `\n\nmemory: ${mb(used.reduce((a, b) => a + b, 0))} in ${used.length} containers, ${mb(used.reduce((a, b) => a + b, 0) / used.length)} each on average` : '';
          return `lab ${l.lab}  (${l.topology})\n${nodes}${total}\n\n${table(['network', 'subnet'], l.networks.map((n) => [n.network, n.subnet]))}`;
        }).join('\n\n'),
    );
  });

  program.command('exec <lab> <node> <command...>').description('run a command in a node (put it after --)').action(async (lab: string, node: string, command: string[]) => {
    const result = await api.exec(lab, node, command, context({}), (line) => out.write(line + '\n'));
    process.stderr.write(result.stderr);
    exitCode = result.exitCode;
  });

  program.command('run <topology>').description('deploy, run the experiment, write CSV + manifest, destroy')
    .option('--out <dir>', 'results directory', 'results').option('--json').option('--offline').option(BACKEND_FLAG, BACKEND_HELP)
    .option('--calibrate', 'measure every network against its configuration first (calibration.csv, manifest)')
    .option('--dry-run', 'print the runs (sweep points x repetitions, seeds) and stop')
    .option(SET_FLAG, SET_HELP, collect, [])
    .option('--filter <key=value>', 'run only the matching runs: a swept key, point or repetition, e.g. --filter networks.wan.delay=20ms,50ms (repeatable)', collect, [])
    .option('--resume <dir>', 'finish an interrupted run: the results directory it was writing (same topology and --set values)')
    .action(async (file: string, o: { out: string; json?: boolean; offline?: boolean; calibrate?: boolean; dryRun?: boolean; set: string[]; filter: string[]; resume?: string }) => {
    const topology = (await api.validate(file, env, undefined, o.set)).topology;
    await useEngine(topology.engine);
    const ctx = context(o);
    if (o.dryRun) {
      const experiment = topology.experiment;
      const runs = experiment ? filterRuns(planRuns(experiment), o.filter, experiment.sweep) : [];
      const keys = experiment?.sweep.map((s) => s.key) ?? [];
      const steps = experiment ? allActions(experiment).length : 0;
      print(!!o.json, runs, () => `${runs.length} runs of ${steps} steps${experiment && !experiment.reuseLab ? ', each on a fresh lab' : ''}\n\n${table(['point', ...keys, 'repetition', 'seed'], runs.map((r) => [r.point, ...keys.map((k) => String(r.values[k])), r.repetition, r.seed]))}`);
      return;
    }
    const result = await api.run(topology, o.out, ctx, { calibrate: o.calibrate === true, filter: o.filter, ...(o.resume ? { resume: o.resume } : {}) });
    if (result.failedRuns.length > 0) {
      process.stderr.write(`✘ ${result.failedRuns.length} run(s) failed; the others completed. Failures are in ${result.manifest} (failed_runs)\n`);
      exitCode = 1;
    }
    const keys = topology.experiment?.sweep.map((s) => s.key) ?? [];
    print(!!o.json, { dir: result.dir, csv: result.csv, manifest: result.manifest, report: result.report, summary: result.summary }, () =>
      `${summaryTable(result.summary, keys)}\n\nmeasurements: ${result.csv}\nmanifest:     ${result.manifest}${result.report ? `\nreport:       ${result.report}` : ''}`,
    );
  });

  program.command('capture <lab> <target>').description('record a node\'s packets to a pcap file: TARGET is NODE (every interface) or NODE:NETWORK')
    .requiredOption('-w, --write <file>', 'pcap file to write').option('--duration <duration>', 'stop after this long, e.g. 10s (default: until Ctrl-C)')
    .action(async (lab: string, target: string, o: { write: string; duration?: string }) => {
    const [node, network] = target.split(':', 2) as [string, string | undefined];
    const us = o.duration === undefined ? undefined : parseDuration(o.duration);
    if (o.duration !== undefined && us === undefined) throw new UsageError(`--duration must be a duration like 10s or 500ms; found "${o.duration}"`);
    const until = new Promise<void>((resolve) => {
      abort.signal.addEventListener('abort', () => resolve(), { once: true });
      if (us !== undefined) setTimeout(resolve, us / 1000).unref();
    });
    const bytes = await api.capture(lab, node, network, o.write, until, context({}));
    out.write(`✔ ${o.write}: ${bytes} bytes (open it with wireshark or tcpdump -r)\n`);
  });

  const impairCmd = program.command('impair <lab> <target>').description('change a running lab\'s links: TARGET is NETWORK (every member) or NODE:NETWORK').option('--reset', 'back to the topology\'s values').option('--down', 'link failure: drop everything').option('--up', 'end a link failure').option('--json');
  for (const key of IMPAIR_FLAGS) impairCmd.option(`--${key} <value>`);
  impairCmd.action(async (lab: string, target: string, o: Record<string, string | boolean | undefined>) => {
    const [node, network] = target.includes(':') ? target.split(':', 2) : [undefined, target];
    const change = impairChange(o);
    const events = await api.impair(lab, { network: network!, node }, change, context(o));
    print(!!o.json, events, () => table(['time', 'node', 'network', 'impairment now'], events.map((e) => [e.time, e.node, e.network, JSON.stringify(e.impairment)])));
  });

  program.command('calibrate <lab>').description('measure every network\'s RTT and goodput against its configured delay and rate').option('--probes <n>', 'ICMP probes per network', '200').option('--out <file>', 'also write the table as CSV').option('--json').action(async (lab: string, o: { probes: string; out?: string; json?: boolean }) => {
    const rows = await api.calibrate(lab, context(o), { probes: Number(o.probes), seconds: 3 });
    if (o.out) await writeFile(o.out, stringify(rows, { header: true }));
    print(!!o.json, rows, () => table(
      ['network', 'from', 'to', 'configured RTT', 'min', 'median', 'p99', 'error', 'configured rate', 'goodput', 'error'],
      rows.map((r) => [r.network, r.from, r.to, `${r.configured_rtt_ms} ms`, r.min_rtt_ms, r.median_rtt_ms, r.p99_rtt_ms, `${r.rtt_error_ms} ms`, r.configured_mbit === '' ? '-' : `${r.configured_mbit} Mbit/s`, r.goodput_mbit === '' ? '-' : r.goodput_mbit, r.goodput_error_pct === '' ? '-' : `${r.goodput_error_pct}%`]),
    ) + (o.out ? `\n\ncsv: ${o.out}` : ''));
  });

  program.command('destroy [lab]').description('remove a lab (or every lab with --all): containers, networks, firewall rules').option('--all', 'destroy every emunet lab').option('--json').action(async (lab: string | undefined, o: { all?: boolean; json?: boolean }) => {
    if (!lab && !o.all) throw new UsageError('name a lab to destroy, or pass --all');
    const report = await api.destroy(o.all ? undefined : lab, context(o));
    print(!!o.json, report, () =>
      report.labs.length === 0 && report.firewallRules === 0
        ? `nothing to destroy${lab ? ` (no lab "${lab}")` : ''}`
        : `✔ destroyed ${report.labs.join(', ') || '(leftover rules)'}: ${report.containers} containers, ${report.networks} networks, ${report.firewallRules} firewall rules`,
    );
  });

  const images = program.command('images').description('container images');
  images.command('build').description('build the base and agent images (skipped when up to date)').option('--offline', 'build the base with debootstrap, without trying the registry').option('--json').action(async (o: { offline?: boolean; json?: boolean }) => {
    const image = await api.buildImages(context(o));
    print(!!o.json, image, () => `✔ ${image.tag} ${image.built ? 'built' : 'up to date'} (base ${image.base.tag}, ${image.base.source})`);
  });

  program.command('report <dir>').description('write (or rewrite) report.html in a results directory: topology, run, charts, tables, events').option('--json').action(async (dir: string, o: { json?: boolean }) => {
    const file = await api.report(dir);
    print(!!o.json, { report: file }, () => file);
  });

  program.command('graph <topology>').description('draw the planned lab: Mermaid, Graphviz DOT or SVG').option('--format <format>', GRAPH_FORMATS.join(' | '), 'mermaid').option('--out <file>', 'write to a file instead of stdout').option(SET_FLAG, SET_HELP, collect, []).action(async (file: string, o: { format: string; out?: string; set: string[] }) => {
    const format = GRAPH_FORMATS.find((f) => f === o.format);
    if (!format) throw new UsageError(`--format must be ${GRAPH_FORMATS.join(', ')}; found "${o.format}"`);
    const { plan } = await api.validate(file, env, undefined, o.set);
    const text = api.graph(plan, format);
    if (o.out) {
      await writeFile(o.out, text);
      out.write(`✔ ${o.out} (${format}, lab ${plan.lab}: ${plan.nodes.length} nodes, ${plan.networks.length} networks)\n`);
    } else out.write(text);
  });

  program.command('schema').description('print the topology JSON Schema (point your editor\'s YAML support at it)').action(() => {
    out.write(JSON.stringify(topologySchema, null, 2) + '\n');
  });

  program.command('doctor').description('check Docker, kernel features for link impairment, and images').option('--json').action(async (o: { json?: boolean }) => {
    const ctx = context(o);
    const checks = await doctor(ctx);
    if (cluster) checks.push(...(await swarmChecks(cluster, await baseTag(), ctx.owner)));
    print(!!o.json, checks, () => checks.map((c) => `${c.ok ? '✔' : '✘'} ${c.name.padEnd(16)} ${c.detail}${c.ok || !c.fix ? '' : `\n    fix: ${c.fix}`}`).join('\n'));
    if (checks.some((c) => !c.ok && (['Docker engine', 'Docker API'].includes(c.name) || /^(host|swarm|ports|overlay)/.test(c.name)))) exitCode = 1;
  });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    const { message, code } = describeError(e, env.EMUNET_DEBUG === '1');
    process.stderr.write(`✘ ${message}\n`);
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export class UsageError extends Error {}

const SET_FLAG = '--set <path=value>';
const SET_HELP = 'override a topology value before validation, e.g. --set experiment.repeat=10 (repeatable)';
const collect = (value: string, previous: string[]) => [...previous, value];

const BACKEND_FLAG = '--impairment-backend <backend>';
const BACKEND_HELP = 'auto (netem if the kernel has it, else userspace) | netem | userspace';
const IMPAIR_FLAGS = ['delay', 'jitter', 'distribution', 'delay-correlation', 'loss', 'loss-correlation', 'duplicate', 'corrupt', 'reorder', 'rate', 'upload', 'download'] as const;

function backendRequest(value: string): BackendRequest {
  if (value === 'auto' || value === 'netem' || value === 'userspace') return value;
  throw new UsageError(`--impairment-backend must be auto, netem or userspace; found "${value}"`);
}

/** Flags -> one change, with the same units and messages as the topology file. */
function impairChange(o: Record<string, string | boolean | undefined>): ImpairmentChange {
  const flags = IMPAIR_FLAGS.filter((k) => o[camel(k)] !== undefined);
  if (o.reset) {
    if (flags.length > 0 || o.down || o.up) throw new UsageError('--reset goes alone: it returns the link to the topology\'s values');
    return { reset: true };
  }
  if (o.down && o.up) throw new UsageError('--down and --up contradict each other');
  const settings: ImpairmentSettings = Object.fromEntries(flags.map((k) => [k, o[camel(k)]]));
  if (o.down || o.up) settings.down = o.down === true;
  if (Object.keys(settings).length === 0) throw new UsageError('say what to change, e.g. --delay 100ms, --loss 5%, --rate 1mbit, --down, --up or --reset');
  try {
    return { set: parseSettings(settings) };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const camel = (flag: string) => flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** The run's summary; a step column when several steps measured; `expected` and `ratio` only with `expect:` formulas. */
function summaryTable(rows: SummaryRow[], keys: string[]): string {
  const expectations = rows.some((r) => r.expected !== undefined);
  const steps = new Set(rows.map((r) => r.step)).size > 1;
  return table(
    [...keys, ...(steps ? ['step'] : []), 'node', 'peer', 'metric', 'n', 'min', 'p50', 'mean', 'p95', 'max', 'unit', ...(expectations ? ['expected', 'ratio'] : [])],
    rows.map((r) => [
      ...keys.map((k) => String(r.point[k])), ...(steps ? [r.step] : []), r.node, r.peer, r.metric, r.n, fmt(r.min), fmt(r.p50), fmt(r.mean), fmt(r.p95), fmt(r.max), r.unit,
      ...(expectations ? [r.expected === undefined ? '' : fmt(r.expected), r.ratio === undefined ? '' : r.ratio.toFixed(3)] : []),
    ]),
  );
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(3));

function planTable(plan: LabPlan): string {
  return table(
    ['node', 'role', 'networks', 'addresses', 'routes'],
    plan.nodes.map((n) => [n.name, n.role, n.interfaces.map((i) => i.network).join(', '), n.interfaces.map((i) => `${i.address}/${i.prefix}`).join(', '), n.routes.length]),
  );
}
