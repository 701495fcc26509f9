import { createHash } from 'node:crypto';

/** A short content hash of an image's inputs: same inputs, same tag; any change, a new tag. */
export function inputsHash(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(String(p.length));
    h.update(':');
    h.update(p);
  }
  return h.digest('hex').slice(0, 12);
}
