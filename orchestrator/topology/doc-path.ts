// Paths into the topology document, as segments (['nodes', 'client', 'networks', 1]) and as
// the text users read in messages (`nodes.client.networks[1]`).

export type PathSegment = string | number;

/** A place in the document: a value, or the key that names it (for unknown or misspelled keys). */
export interface DocLocation {
  path: PathSegment[];
  onKey: boolean;
}

export function valueAt(path: PathSegment[]): DocLocation {
  return { path, onKey: false };
}

export function keyAt(path: PathSegment[]): DocLocation {
  return { path, onKey: true };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `nodes.client.networks[1]`; keys that are not plain names are quoted: `nodes["My Node"]`. */
export function formatPath(path: PathSegment[]): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!PLAIN_KEY.test(segment)) return `[${JSON.stringify(segment)}]`;
      return i === 0 ? segment : `.${segment}`;
    })
    .join('');
}

/**
 * An ajv `instancePath` (JSON Pointer, `/nodes/client/networks/1`) -> segments. The data is
 * walked alongside so that `1` becomes an index only where the document has a list there.
 */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let current = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(current) ? Number(key) : key;
    path.push(segment);
    current = typeof current === 'object' && current !== null ? (current as Record<PathSegment, unknown>)[segment] : undefined;
  }
  return path;
}
