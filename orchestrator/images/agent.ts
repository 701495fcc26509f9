import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { ImageStore } from '../runtime/runtime.js';
import { ensureBaseImage, type BaseImage, type BaseOptions } from './base.js';
import { inputsHash } from './hash.js';
import { agentDir } from './paths.js';

export interface AgentImage {
  tag: string;
  id: string;
  base: BaseImage;
  built: boolean;
}

/** Bundles the agent sources into one file for Node 18 (the offline base's nodejs). */
export async function bundleAgent(): Promise<Buffer> {
  const result = await build({
    entryPoints: [path.join(agentDir, 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    // Bundled CommonJS dependencies may call require(); give ESM output one.
    banner: { js: "import { createRequire as __emunetRequire } from 'node:module'; const require = __emunetRequire(import.meta.url);" },
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output for the agent');
  return Buffer.from(out.contents);
}

const DELAYER_DIR = path.join(agentDir, 'delayer');

/** The Node.js the agents run when the image carries one of its own (see the Dockerfile). */
export interface NodeRuntime { path: string; version: string; size: number }

/**
 * The orchestrator's own Node.js, when it is a self-contained official build (not a distro
 * build linked against a shared libnode, which would not run without its library): Debian's
 * nodejs 18 lacks V8's startup snapshot and code cache, so an agent starting on it costs ~2.5×
 * the CPU (115 vs 48 ms per start, measured) — what bounds how fast a large lab comes up.
 */
export async function hostNodeRuntime(): Promise<NodeRuntime | undefined> {
  const variables = process.config.variables as { node_shared?: boolean; node_use_node_snapshot?: boolean };
  if (variables.node_shared || !variables.node_use_node_snapshot) return undefined;
  return { path: process.execPath, version: process.version, size: (await stat(process.execPath)).size };
}

/** What the tag records of it: version and size, not a hash of ~100 MB read on every deploy. */
const runtimeId = (node: NodeRuntime | undefined) => (node ? `node ${node.version} ${process.arch} ${node.size}` : 'debian nodejs');

const NO_RUNTIME_NOTE = 'The build host had no self-contained Node.js: agents run on the base image\'s nodejs.\n';

/** The userspace delayer's C sources, by name, in a stable order. */
async function delayerSources(): Promise<[string, Buffer][]> {
  const names = (await readdir(DELAYER_DIR)).filter((n) => /\.[ch]$/.test(n)).sort();
  return Promise.all(names.map(async (n): Promise<[string, Buffer]> => [n, await readFile(path.join(DELAYER_DIR, n))]));
}

/** emunet/agent:<hash of base image id + Dockerfile + bundle + delayer sources + Node.js runtime>: any change makes a new tag. */
export async function agentTag(baseId: string, bundle: Buffer, node?: NodeRuntime): Promise<string> {
  const dockerfile = await readFile(path.join(agentDir, 'Dockerfile'));
  const delayer = (await delayerSources()).flat();
  return `emunet/agent:${inputsHash([baseId, dockerfile, bundle, ...delayer, runtimeId(node)])}`;
}

/** Builds the agent image for the current sources unless it already exists. */
export async function ensureAgentImage(images: ImageStore, options: BaseOptions): Promise<AgentImage> {
  const base = await ensureBaseImage(images, options);
  const bundle = await bundleAgent();
  const node = await hostNodeRuntime();
  const tag = await agentTag(base.id, bundle, node);
  const existing = await images.imageId(tag);
  if (existing) return { tag, id: existing, base, built: false };
  // A private build context: two builds at once (two terminals, parallel tests) must not read
  // each other's bundle.
  const context = await mkdtemp(path.join(tmpdir(), 'emunet-agent-build-'));
  try {
    await writeFile(path.join(context, 'agent.mjs'), bundle);
    await copyFile(path.join(agentDir, 'Dockerfile'), path.join(context, 'Dockerfile'));
    await mkdir(path.join(context, 'delayer'));
    const sources = await delayerSources();
    for (const [name, text] of sources) await writeFile(path.join(context, 'delayer', name), text);
    await mkdir(path.join(context, 'node-runtime'));
    if (node) await copyFile(node.path, path.join(context, 'node-runtime', 'node'));
    else await writeFile(path.join(context, 'node-runtime', 'NONE'), NO_RUNTIME_NOTE);
    options.log(`building ${tag} (agents on ${runtimeId(node)})…`);
    const files = ['Dockerfile', 'agent.mjs', ...sources.map(([name]) => `delayer/${name}`), node ? 'node-runtime/node' : 'node-runtime/NONE'];
    const id = await images.build(context, files, tag, { BASE: base.tag });
    return { tag, id, base, built: true };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}
