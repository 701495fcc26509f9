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
