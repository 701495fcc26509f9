// What every benchmark shares: a context, Ctrl-C that cleans up, the report on stdout, raw
// figures as JSON on request, and cleanup that runs whatever happened.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as api from '../api.js';
import { DockerRuntime } from '../runtime/docker.js';

export interface Bench {
  ctx: api.Context;
  log: (line: string) => void;
  signal: AbortSignal;
}

export interface BenchSpec {
  name: string;
  /** Where to write the raw figures (JSON); undefined writes none. */
  jsonOut?: string;
  /** Removes what a crashed or interrupted run may have left; runs before and after. */
  cleanup(ctx: api.Context): Promise<void>;
  /** Measures; returns the report to print and the figures to keep. */
  measure(bench: Bench): Promise<{ report: string; figures: object }>;
}

/** `--json-out` without a path: results/bench/NAME-TIMESTAMP.json. */
export function defaultJsonPath(name: string): string {
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, '');
  return path.join('results', 'bench', `${name}-${stamp}.json`);
}

/** Plain aligned text: each column as wide as its widest cell. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export async function runBench(spec: BenchSpec): Promise<number> {
  const abort = new AbortController();
  const onSignal = () => {
    process.stderr.write('\ninterrupted: cleaning up (press Ctrl-C again to quit at once)…\n');
    abort.abort(new Error('interrupted'));
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const runtime = new DockerRuntime();
  const ctx: api.Context = { ...api.contextDefaults(runtime, os.userInfo().username), signal: abort.signal };
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    await spec.cleanup({ ...ctx, signal: undefined });
    const { report, figures } = await spec.measure({ ctx, log, signal: abort.signal });
    process.stdout.write(report + '\n');
    if (spec.jsonOut) {
      await mkdir(path.dirname(spec.jsonOut), { recursive: true });
      const engine = await runtime.info();
      await writeFile(spec.jsonOut, JSON.stringify({ bench: spec.name, at: new Date().toISOString(), docker: engine.version, cpus: engine.cpus, kernel: engine.kernel, ...figures }, null, 2) + '\n');
      log(`wrote ${spec.jsonOut}`);
    }
    return 0;
  } catch (e) {
    log(`bench:${spec.name} failed: ${e instanceof Error ? e.message : String(e)}`);
    return abort.signal.aborted ? 130 : 1;
  } finally {
    // Runs on failure and on Ctrl-C too: the engine is left as the bench found it.
    await spec.cleanup({ ...ctx, signal: undefined }).catch((e: unknown) => log(`cleanup failed: ${e instanceof Error ? e.message : String(e)}`));
  }
}

/** A bench option: a whole number (or, with `list`, comma-separated whole numbers) of at least `min`. */
export interface OptionSpec { default: number | number[]; min: number }
type OptionValues<S> = { [K in keyof S]: S[K] extends { default: number[] } ? number[] : number };

const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * `--flag VALUE` options named after the spec's keys (`inFlight` is `--in-flight`), and
 * `--json-out [file]` (bare: results/bench/NAME-TIMESTAMP.json). Anything else is an error that
 * lists what is known, with the defaults.
 */
export function benchOptions<S extends Record<string, OptionSpec>>(argv: string[], name: string, spec: S): OptionValues<S> & { jsonOut?: string } {
  const values: Record<string, number | number[]> = Object.fromEntries(Object.entries(spec).map(([k, s]) => [k, s.default]));
  const byFlag = new Map(Object.keys(spec).map((k) => [flagOf(k), k]));
  const known = [...Object.entries(spec).map(([k, s]) => `${flagOf(k)} ${String(s.default)}`), '--json-out [file]'].join(' ');
  let jsonOut: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json-out') {
      const next = argv[i + 1];
      jsonOut = next && !next.startsWith('--') ? argv[++i] : defaultJsonPath(name);
      continue;
    }
    const key = byFlag.get(arg);
    const text = argv[++i];
    if (key === undefined) throw new Error(`unknown option ${arg} (known: ${known})`);
    if (text === undefined) throw new Error(`${arg} needs a value`);
    const { default: fallback, min } = spec[key]!;
    const numbers = text.split(',').map(Number);
    if (numbers.some((n) => !Number.isInteger(n) || n < min) || (!Array.isArray(fallback) && numbers.length !== 1)) {
      throw new Error(`${arg}: ${Array.isArray(fallback) ? 'whole numbers, comma-separated,' : 'a whole number'} of at least ${min}, found "${text}"`);
    }
    values[key] = Array.isArray(fallback) ? numbers : numbers[0]!;
  }
  return { ...(values as OptionValues<S>), ...(jsonOut === undefined ? {} : { jsonOut }) };
}

/** benchOptions for a bench's command line: a bad option is one line on stderr and exit code 2. */
export function commandLineOptions<S extends Record<string, OptionSpec>>(name: string, spec: S): OptionValues<S> & { jsonOut?: string } {
  try {
    return benchOptions(process.argv.slice(2), name, spec);
  } catch (e) {
    process.stderr.write(`bench:${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}
