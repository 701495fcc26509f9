import { randomBytes } from 'node:crypto';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { LABEL } from './labels.js';
import { CHAIN, allowBridgeRule, deleteRuleArgs } from './firewall-rules.js';

// emunet never runs host commands to touch the host: a short-lived helper container in the
// host's network namespace (NET_ADMIN only) changes the firewall, so a user in the docker
// group needs no root.

export class HostFirewall {
  constructor(private readonly runtime: ContainerRuntime, private readonly image: string) {}

  async allowBridges(lab: string, bridges: string[]): Promise<void> {
    if (bridges.length === 0) return;
    await this.withHelper(async (run) => {
      for (const bridge of bridges) await run(['iptables', '-w', ...allowBridgeRule(lab, bridge)]);
    });
  }

  /** Removes the rules of `lab` (of every lab when undefined); returns how many. */
  async removeRules(lab?: string): Promise<number> {
    return this.withHelper(async (run) => {
      const deletions = deleteRuleArgs(await run(['iptables', '-w', '-S', CHAIN]), lab);
      for (const args of deletions) await run(['iptables', '-w', ...args]);
      return deletions.length;
    });
  }

  /** The host's whole ruleset (iptables-save without counters), to prove destroy restores it. */
  async snapshot(): Promise<string> {
    return this.withHelper(async (run) => (await run(['iptables-save'])).split('\n').filter((l) => !l.startsWith('#')).join('\n'));
  }

  private async withHelper<T>(fn: (run: (argv: string[]) => Promise<string>) => Promise<T>): Promise<T> {
    const id = await this.runtime.createContainer({
      name: `emunet-firewall-${randomBytes(4).toString('hex')}`,
      image: this.image,
      labels: { [LABEL.helper]: 'firewall', [LABEL.owner]: 'emunet' },
      entrypoint: ['sleep', 'infinity'],
      networkMode: 'host',
      capAdd: ['NET_ADMIN'],
    });
    try {
      await this.runtime.startContainer(id);
      return await fn(async (argv) => {
        const r = await this.runtime.exec(id, argv);
        if (r.exitCode !== 0) throw new Error(`host firewall: ${argv.join(' ')} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
        return r.stdout;
      });
    } finally {
      await this.runtime.removeContainer(id);
    }
  }
}
