import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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

/** The userspace delayer's C sources, by name, in a stable order. */
async function delayerSources(): Promise<[string, Buffer][]> {
  const names = (await readdir(DELAYER_DIR)).filter((n) => /\.[ch]$/.test(n)).sort();
  return Promise.all(names.map(async (n): Promise<[string, Buffer]> => [n, await readFile(path.join(DELAYER_DIR, n))]));
}

/** emunet/agent:<hash of base image id + Dockerfile + bundle + delayer sources>: any change makes a new tag. */
export async function agentTag(baseId: string, bundle: Buffer): Promise<string> {
  const dockerfile = await readFile(path.join(agentDir, 'Dockerfile'));
  const delayer = (await delayerSources()).flat();
  return `emunet/agent:${inputsHash([baseId, dockerfile, bundle, ...delayer])}`;
}

/** Builds the agent image for the current sources unless it already exists. */
export async function ensureAgentImage(images: ImageStore, options: BaseOptions): Promise<AgentImage> {
  const base = await ensureBaseImage(images, options);
  const bundle = await bundleAgent();
  const tag = await agentTag(base.id, bundle);
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
    options.log(`building ${tag}…`);
    const files = ['Dockerfile', 'agent.mjs', ...sources.map(([name]) => `delayer/${name}`)];
    const id = await images.build(context, files, tag, { BASE: base.tag });
    return { tag, id, base, built: true };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}
