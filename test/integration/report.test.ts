import { execa } from 'execa';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../orchestrator/report/index.js';
import { writeFixtureDir } from '../unit/report/fixture.js';

// report.html as a reader sees it: opened from disk by a real browser (headless Chromium),
// with no network. Built from hand-made results, so no Docker is needed.

const WIDTH = 1200;
const HEIGHT = 2000;
let dir: string;
let profile: string;
let report: string;

/** Chromium with a throwaway profile; `--no-sandbox` because tests run as root in CI. */
const chromium = (...args: string[]) =>
  execa('chromium', ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, ...args], { timeout: 90_000, reject: false });

beforeAll(async () => {
  const found = await execa('sh', ['-c', 'command -v chromium'], { reject: false });
  if (found.exitCode !== 0) throw new Error('chromium is not installed: run `npm run setup` (it installs Debian\'s chromium package), then run this test again');
  dir = await writeFixtureDir();
  profile = await mkdtemp(path.join(os.tmpdir(), 'emunet-chromium-'));
  report = await writeReport(dir);
});
afterAll(async () => {
  await Promise.all([dir, profile].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
});

describe('report.html in a browser', () => {
  it('renders a non-trivial page: a full-size screenshot with charts painted in their colours', async () => {
    const png = path.join(dir, 'screenshot.png');
    const r = await chromium(`--screenshot=${png}`, `--window-size=${WIDTH},${HEIGHT}`, `file://${report}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await stat(png)).size).toBeGreaterThan(40_000);
    const image = decodePng(await readFile(png));
    expect([image.width, image.height]).toEqual([WIDTH, HEIGHT]);
    // A blank or single-colour page would be nearly all one colour; this one has text, tables and charts.
    const colours = new Map<number, number>();
    for (let i = 0; i < image.pixels.length; i += 4) {
      const key = (image.pixels[i]! << 16) | (image.pixels[i + 1]! << 8) | image.pixels[i + 2]!;
      colours.set(key, (colours.get(key) ?? 0) + 1);
    }
    const [most] = [...colours.values()].sort((a, b) => b - a);
    expect(most! / (WIDTH * HEIGHT)).toBeLessThan(0.95);
    expect(colours.size).toBeGreaterThan(50);
    // vega's first two category colours (the two probe counts): the first chart's marks are painted.
    expect(countNear(image.pixels, [0x4c, 0x78, 0xa8])).toBeGreaterThan(100);
    expect(countNear(image.pixels, [0xf5, 0x85, 0x18])).toBeGreaterThan(100);
  });

  it('parses into one chart SVG per metric, each with drawn marks', async () => {
    const r = await chromium('--dump-dom', `file://${report}`);
    expect(r.exitCode, r.stderr).toBe(0);
    const dom = r.stdout;
    expect(dom).toContain('<h1>lab <b>hello</b> · run 2026-11-25T10-00-00</h1>');
    const figures = [...dom.matchAll(/<figure class="chart" data-metric="([^"]+)" data-kind="means">([\s\S]*?)<\/figure>/g)];
    expect(figures.map((f) => f[1])).toEqual(['udp_rtt', 'tcp_connect']);
    for (const [, metric, body] of figures) {
      expect(body, metric).toMatch(/^<svg[^>]*class="marks"/);
      const paths = [...body!.matchAll(/<path\b[^>]*\bd="([^"]*)"/g)].filter((m) => /[0-9]/.test(m[1]!));
      const rects = [...body!.matchAll(/<rect\b[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/g)].filter((m) => Number(m[1]) > 0 && Number(m[2]) > 0);
      expect(paths.length + rects.length, `${metric}: drawn paths and rects`).toBeGreaterThan(20);
      // The means as point symbols with a shape: one per parameter point and probe count (6), and as many expected values for udp_rtt.
      const points = body!.match(/<path\b[^>]*aria-roledescription="point"[^>]*\bd="M[^"]+"/g) ?? [];
      expect(points.length, `${metric}: drawn points`).toBe(metric === 'udp_rtt' ? 12 : 6);
      expect(body).toContain(`mean ${metric} (ms)`);
    }
    expect(dom).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="topology"');
    expect(dom).not.toContain('<script');
  });
});

/** Pixels within a small distance of `rgb` (anti-aliasing blends edges). */
function countNear(pixels: Uint8Array, [r, g, b]: number[]): number {
  let n = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (Math.abs(pixels[i]! - r!) + Math.abs(pixels[i + 1]! - g!) + Math.abs(pixels[i + 2]! - b!) < 30) n++;
  }
  return n;
}

/** A PNG as RGBA bytes: enough of the format for Chromium's 8-bit RGB(A) screenshots. */
function decodePng(png: Buffer): { width: number; height: number; pixels: Uint8Array } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8], 'bit depth').toBe(8);
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      expect(channels, `colour type ${data[9]}`).toBeGreaterThan(0);
      expect(data[12], 'interlace').toBe(0);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rows = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? rows[y * stride + x - channels]! : 0;
      const b = y > 0 ? rows[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? rows[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter] ?? 0;
      rows[y * stride + x] = (line[x]! + predictor) & 0xff;
    }
  }
  if (channels === 4) return { width, height, pixels: rows };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < rows.length; i += 3, j += 4) rgba.set([rows[i]!, rows[i + 1]!, rows[i + 2]!, 255], j);
  return { width, height, pixels: rgba };
}
