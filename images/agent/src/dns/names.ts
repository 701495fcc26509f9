// Domain names in one canonical form everywhere inside the DNS agents: lower case, no trailing
// dot, the root as '.'. Comparisons are then plain string operations (RFC 4343: DNS names
// compare case-insensitively).

export function normalizeName(name: string): string {
  const n = name.toLowerCase().replace(/\.+$/, '');
  return n === '' ? '.' : n;
}

/** True when `name` is `zone` itself or a name below it. Both in canonical form. */
export function isAtOrBelow(name: string, zone: string): boolean {
  if (zone === '.') return true;
  return name === zone || name.endsWith('.' + zone);
}

export function isStrictlyBelow(name: string, zone: string): boolean {
  return name !== zone && isAtOrBelow(name, zone);
}

/** The name one label up: 'www.stanford.edu' -> 'stanford.edu', 'edu' -> '.', '.' -> undefined. */
export function parentName(name: string): string | undefined {
  if (name === '.') return undefined;
  const dot = name.indexOf('.');
  return dot < 0 ? '.' : name.slice(dot + 1);
}

/** `name` and its ancestors, nearest first, ending with '.'. */
export function selfAndAncestors(name: string): string[] {
  const out: string[] = [];
  for (let n: string | undefined = name; n !== undefined; n = parentName(n)) out.push(n);
  return out;
}

/** The names strictly below `zone` down to `name` inclusive, top-down ('edu', 'www.stanford.edu' -> ['stanford.edu', 'www.stanford.edu']). */
export function namesBelow(zone: string, name: string): string[] {
  return selfAndAncestors(name)
    .filter((n) => isStrictlyBelow(n, zone))
    .reverse();
}

/** '*.x.y' for the closest encloser 'x.y'; '*' for the root. */
export function wildcardAt(encloser: string): string {
  return encloser === '.' ? '*' : `*.${encloser}`;
}

/** Why a name is not a valid domain name, or undefined when it is (lengths per RFC 1035 §2.3.4). */
export function nameProblem(name: string): string | undefined {
  if (name === '.') return undefined;
  if (name.length > 253) return 'is longer than 253 characters';
  for (const label of name.split('.')) {
    if (label === '') return 'has an empty label';
    if (label.length > 63) return `has a label longer than 63 characters ("${label.slice(0, 20)}…")`;
    if (/\s/.test(label)) return 'contains white space';
  }
  return undefined;
}

/** The zone among `origins` that holds `name`: the longest origin at or above it. */
export function closestOrigin(origins: Iterable<string>, name: string): string | undefined {
  let best: string | undefined;
  for (const o of origins) {
    if (isAtOrBelow(name, o) && (best === undefined || best === '.' || o.length > best.length)) best = o;
  }
  return best;
}
