/** A named measurement an agent runs on demand (`agent workload NAME ARGS`), emitting records. */
export interface Workload {
  name: string;
  run(args: Record<string, unknown>): Promise<void>;
}

export function numberArg(args: Record<string, unknown>, key: string, fallback: number): number {
  const v = args[key];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`argument "${key}" must be a number, found ${JSON.stringify(v)}`);
  return n;
}

export function stringArg(args: Record<string, unknown>, key: string): string {
  const v = args[key];
  if (typeof v !== 'string' || v === '') throw new Error(`argument "${key}" is required (a string), found ${JSON.stringify(v)}`);
  return v;
}

export function boolArg(args: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = args[key];
  if (v === undefined) return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new Error(`argument "${key}" must be true or false, found ${JSON.stringify(v)}`);
}
