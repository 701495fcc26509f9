import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { log } from '../common/records.js';

// One emunet-nfdelay process per NFQUEUE (one sender group on one device). Parameter changes rewrite its config and send
// SIGHUP: the process keeps its queue and the packets it holds, so a change loses nothing.

export class DelayerProcess {
  private constructor(private readonly child: ChildProcess, readonly label: string) {}

  static async start(label: string, argv: string[], configPath: string, config: string): Promise<DelayerProcess> {
    await mkdir(path.dirname(configPath), { recursive: true });
    await writeFile(configPath, config);
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => log(`nfdelay ${label}: ${d.toString().trimEnd()}`));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes('"ready"')) {
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`emunet-nfdelay for ${label} exited with ${code} before it was ready`)));
    });
    child.stdout!.on('data', (d: Buffer) => log(`nfdelay ${label}: ${d.toString().trimEnd()}`));
    child.removeAllListeners('exit');
    child.once('exit', (code, signal) => log(`nfdelay ${label} exited (${code ?? signal})`));
    return new DelayerProcess(child, label);
  }

  async reconfigure(configPath: string, config: string): Promise<void> {
    await writeFile(configPath, config);
    this.child.kill('SIGHUP');
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}
