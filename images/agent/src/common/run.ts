import { spawn } from 'node:child_process';

/** Runs a command (argv, no shell) and fails with its stderr when it exits non-zero. */
export function run(argv: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin!.end(input);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${argv.join(' ')} exited with ${code}: ${err.trim()}`));
    });
  });
}

/** Runs a command and reports its exit code and stderr instead of failing (for tolerant steps). */
export function runStatus(argv: string[]): Promise<{ exitCode: number; stderr: string }> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve({ exitCode: 127, stderr: e.message }));
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stderr: err }));
  });
}
