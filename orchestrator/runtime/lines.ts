import { Writable } from 'node:stream';

/** A writable that calls `onLine` for each complete line (without the newline). */
export function lineSplitter(onLine: (line: string) => void): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      done();
    },
    final(done) {
      if (pending) onLine(pending);
      done();
    },
  });
}
