// Domain names as the lab writes them: lower case, no final dot, '.' for the root.

/** `stanford.edu.` -> `stanford.edu`; `.` stays the root. */
export function canonicalZone(name: string): string {
  const lower = name.toLowerCase();
  if (lower === '.' || lower === '') return '.';
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** An owner or target as written in a zone -> absolute: `@` is the origin, a final dot means absolute, else relative. */
export function absoluteName(name: string, origin: string): string {
  const lower = name.toLowerCase();
  if (lower === '@') return origin;
  if (lower.endsWith('.')) return lower === '.' ? '.' : lower.slice(0, -1);
  return origin === '.' ? lower : `${lower}.${origin}`;
}

/** Whether `name` is `zone` or below it. */
export function isAtOrBelow(name: string, zone: string): boolean {
  return zone === '.' || name === zone || name.endsWith(`.${zone}`);
}

/** The closest of `zones` that holds `name` (longest suffix), if any. */
export function closestZone(name: string, zones: string[]): string | undefined {
  return zones.filter((z) => isAtOrBelow(name, z)).sort((a, b) => depth(b) - depth(a))[0];
}

export const depth = (name: string) => (name === '.' ? 0 : name.split('.').length);
