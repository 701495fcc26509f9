// Small validators for the DNS configs the orchestrator hands the agents. Every error names the
// path in the config, what was expected and what was found.

export class DnsConfigError extends Error {
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'DnsConfigError';
  }
}

export const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

export function object(v: unknown, path: string, known?: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DnsConfigError(path, `expected an object, found ${show(v)}`);
  const o = v as Record<string, unknown>;
  if (known) {
    const unknown = Object.keys(o).filter((k) => !known.includes(k));
    if (unknown.length > 0) throw new DnsConfigError(path, `unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')}; known keys are [${known.join(', ')}]`);
  }
  return o;
}

export function array(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new DnsConfigError(path, `expected a list, found ${show(v)}`);
  return v;
}

export function string(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new DnsConfigError(path, `expected a non-empty string, found ${show(v)}`);
  return v;
}

export function integer(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new DnsConfigError(path, `expected an integer from ${min} to ${max}, found ${show(v)}`);
  }
  return v;
}

export function number(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new DnsConfigError(path, `expected a number >= ${min}, found ${show(v)}`);
  return v;
}

export function boolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new DnsConfigError(path, `expected true or false, found ${show(v)}`);
  return v;
}

/** `check(v)` when v is present, otherwise the default. */
export function optional<T>(v: unknown, fallback: T, check: (v: unknown) => T): T {
  return v === undefined ? fallback : check(v);
}
