import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { ImageStore } from '../runtime/runtime.js';
import { inputsHash } from './hash.js';
import { baseDir } from './paths.js';

export const REGISTRY_BASE = 'node:20-bookworm-slim';

export interface BaseImage {
  tag: string;
  id: string;
  /** How it was obtained this time: already present, from the registry, or debootstrapped offline. */
  source: 'cached' | 'registry' | 'offline';
}

export interface BaseOptions {
  /** Skip the registry and build from the Debian mirror directly. */
  offline: boolean;
  log: (line: string) => void;
}

export async function basePackages(): Promise<string[]> {
  const text = await readFile(path.join(baseDir, 'packages.txt'), 'utf8');
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
}

/** The tag depends on the package list only, so both ways of building give the same tag. */
export async function baseTag(): Promise<string> {
  const packages = await basePackages();
  const dockerfile = await readFile(path.join(baseDir, 'Dockerfile.registry'), 'utf8');
  return `emunet/base:${inputsHash([packages.join(' '), dockerfile])}`;
}

export async function ensureBaseImage(images: ImageStore, options: BaseOptions): Promise<BaseImage> {
  const tag = await baseTag();
  const existing = await images.imageId(tag);
  if (existing) return { tag, id: existing, source: 'cached' };
  const packages = await basePackages();
  if (!options.offline) {
    options.log(`pulling ${REGISTRY_BASE}…`);
    if (await images.pull(REGISTRY_BASE)) {
      const withoutNode = packages.filter((p) => p !== 'nodejs');
      const id = await images.build(baseDir, ['Dockerfile.registry'], tag, { PACKAGES: withoutNode.join(' ') });
      return { tag, id, source: 'registry' };
    }
    options.log(`${REGISTRY_BASE} cannot be pulled (no registry reachable): building an offline base with debootstrap`);
  }
  return { tag, id: await debootstrapBase(images, tag, packages, options.log), source: 'offline' };
}

/** Reads the machine's own Debian mirror: never a hard-coded host. */
export async function debianMirror(): Promise<string> {
  const candidates = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  for (const file of candidates) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const deb822 = /^URIs:\s*(\S+)/m.exec(text);
    if (deb822?.[1] && !deb822[1].includes('security')) return deb822[1];
    const legacy = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+\s/m.exec(text);
    if (legacy?.[1]) return legacy[1];
  }
  throw new Error(`no Debian mirror found in ${candidates.join(' or ')}; configure apt, or make ${REGISTRY_BASE} pullable`);
}

async function debootstrapBase(images: ImageStore, tag: string, packages: string[], log: (l: string) => void): Promise<string> {
  const mirror = await debianMirror();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'emunet-rootfs-'));
  try {
    log(`debootstrap bookworm from ${mirror} (about a minute)…`);
    await execa('debootstrap', ['--variant=minbase', `--include=${packages.join(',')}`, 'bookworm', dir, mirror], { stdout: 'ignore' }).catch((e: { stderr?: string; message: string }) => {
      throw new Error(`debootstrap failed: ${e.stderr?.split('\n').slice(-5).join('\n') ?? e.message}\n  fix: run as root with debootstrap installed (scripts/setup.sh does both)`);
    });
    // Keep the image small: package caches and docs are not needed in a lab container.
    await execa('rm', ['-rf', path.join(dir, 'var/cache/apt/archives'), path.join(dir, 'var/lib/apt/lists'), path.join(dir, 'usr/share/doc'), path.join(dir, 'usr/share/man')]);
    log(`importing the root filesystem as ${tag}…`);
    const tar = execa('tar', ['-C', dir, '-c', '.'], { buffer: false, stdout: 'pipe' });
    const id = await images.importRootfs(tar.stdout!, tag);
    await tar;
    return id;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
