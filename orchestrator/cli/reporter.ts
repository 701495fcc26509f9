import type { Reporter } from '../deploy/lab.js';

/**
 * On a terminal, progress rewrites one live line; elsewhere (CI, pipes) it prints plain lines,
 * only when the step changes or crosses a quarter, so logs stay short.
 */
export function cliReporter(stream: NodeJS.WriteStream, quiet: boolean): Reporter {
  const tty = stream.isTTY === true;
  let live = false;
  let lastPlain = '';
  const clear = () => {
    if (live) stream.write('\r\x1b[K');
    live = false;
  };
  const write = (line: string) => {
    clear();
    stream.write(line + '\n');
  };
  if (quiet) return { info: () => undefined, done: () => undefined, progress: () => undefined };
  return {
    info: (message) => write(`  ${message}`),
    done: (message) => write(`✔ ${message}`),
    progress: (label, done, total) => {
      if (tty) {
        const width = 20;
        const filled = total > 0 ? Math.round((done / total) * width) : 0;
        clear();
        stream.write(`⠿ ${label}  ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total}`);
        live = true;
        return;
      }
      const quarter = total > 0 ? Math.floor((4 * done) / total) : 0;
      const key = `${label.replace(/\d+\/\d+$/, '')}:${quarter}`;
      if (key !== lastPlain || done === total) write(`… ${label} (${done}/${total})`);
      lastPlain = key;
    },
  };
}
