// Validators for what an HTTP node finds in `node.config` (written by the user in the topology
// and passed on untouched). Every error names the path, what was expected and what was found,
// so a typo stops the agent at start-up with a message the deploy shows.

export class HttpConfigError extends Error {
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'HttpConfigError';
  }
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/** An object whose keys are all among `known` (a typo lists the known keys). */
export function object(v: unknown, path: string, known?: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpConfigError(path, `expected an object, found ${show(v)}`);
  const o = v as Record<string, unknown>;
  const unknown = known ? Object.keys(o).filter((k) => !known.includes(k)) : [];
  if (unknown.length > 0) throw new HttpConfigError(path, `unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')}; known keys are [${known!.join(', ')}]`);
  return o;
}

export function integer(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new HttpConfigError(path, `expected an integer from ${min} to ${max}, found ${show(v)}`);
  return v;
}

export function string(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new HttpConfigError(path, `expected a non-empty string, found ${show(v)}`);
  return v;
}

export function boolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new HttpConfigError(path, `expected true or false, found ${show(v)}`);
  return v;
}

export function stringList(v: unknown, path: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s !== '')) throw new HttpConfigError(path, `expected a string or a list of strings, found ${show(v)}`);
  return list as string[];
}

export const optional = <T>(v: unknown, fallback: T, check: (v: unknown) => T): T => (v === undefined ? fallback : check(v));

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A size in bytes: a number, or a string with a unit (`64MB`, `512KiB`; KB = 1000 bytes, KiB = 1024). */
export function byteSize(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim()) : null;
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new HttpConfigError(path, `expected a size in bytes: a number, or a string such as 64MB, 512KB, 1MiB; found ${show(v)}`);
  return Math.round(Number(m[1]) * unit);
}

/** A host name (a lab node or a DNS name) as it appears in a Host field, lower case. */
export function hostName(v: unknown, path: string): string {
  const s = string(v, path).toLowerCase();
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(s)) throw new HttpConfigError(path, `expected a host name such as www.foo.com or a node name, found ${show(v)}`);
  return s;
}
