import { parse } from 'csv-parse/sync';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as api from '../../orchestrator/api.js';
import { HostFirewall } from '../../orchestrator/deploy/firewall.js';
import { DockerRuntime } from '../../orchestrator/runtime/docker.js';
import { parseTopology } from '../../orchestrator/topology/load.js';
import type { Topology } from '../../orchestrator/topology/types.js';

export const repo = path.resolve(import.meta.dirname, '../..');
export const runtime = new DockerRuntime();

export function testContext(extra: Partial<api.Context> = {}): api.Context {
  return { ...api.contextDefaults(runtime, 'emunet-test'), ...extra };
}

/** A fixture topology under another lab name, so tests never collide with a user's labs. */
export async function topologyAs(fixture: string, name: string): Promise<Topology> {
  const file = path.join(repo, fixture);
  const text = (await readFile(file, 'utf8')).replace(/^name: .*$/m, `name: ${name}`);
  return parseTopology(text, file, {});
}

/** Runs a command in a node of a deployed lab and returns its stdout, failing on a non-zero exit. */
export async function sh(lab: string, node: string, command: string): Promise<string> {
  const r = await api.exec(lab, node, ['sh', '-c', command], testContext());
  if (r.exitCode !== 0) throw new Error(`${node}: ${command} exited ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

export async function labObjects(lab: string): Promise<number> {
  const selector = { 'emunet.lab': lab };
  return (await runtime.listContainers(selector)).length + (await runtime.listNetworks(selector)).length;
}

export async function firewallSnapshot(): Promise<string> {
  const image = await api.buildImages(testContext());
  return new HostFirewall(runtime, image.tag).snapshot();
}

/** A CSV file as rows keyed by header name (columns move; names do not). */
export async function readCsv(file: string): Promise<Record<string, string>[]> {
  return parse(await readFile(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}
