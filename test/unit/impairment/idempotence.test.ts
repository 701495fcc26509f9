// Applying against a model of the host (fake-host.ts): applying twice is applying once, any
// impairment can follow any other, and {} leaves the host as it was.
import { describe, expect, it } from 'vitest';
import { impairmentPlan, type BackendOptions } from '../../../orchestrator/impairment/apply.js';
import { ImpairmentCommandError, runCommands } from '../../../orchestrator/impairment/execute.js';
import type { LinkImpairment } from '../../../orchestrator/impairment/spec.js';
import { FakeHost } from './fake-host.js';

const SAMPLES: Record<string, LinkImpairment> = {
  none: {},
  delay: { delayUs: 40_000 },
  'delay+rate': { delayUs: 40_000, jitterUs: 5_000, lossPct: 1, rateBps: 10_000_000 },
  uniform: { delayUs: 40_000, jitterUs: 5_000, distribution: 'uniform', rateBps: 1_000_000 },
  rate: { rateBps: 1_000_000 },
  download: { downloadBps: 4_000_000, lossPct: 1 },
  down: { down: true, rateBps: 2_000_000 },
  everything: { delayUs: 80_000, lossPct: 5, rateBps: 1_000_000, downloadBps: 4_000_000, down: true },
};

const BACKENDS: BackendOptions[] = [
  { backend: 'netem', seed: 1 },
  { backend: 'userspace' },
];

async function applied(options: BackendOptions, ...impairments: LinkImpairment[]): Promise<unknown> {
  const host = new FakeHost(['eth1']);
  for (const impairment of impairments) await runCommands(impairmentPlan('eth1', impairment, options).commands, host.run);
  return host.snapshot();
}

describe.each(BACKENDS)('on the $backend backend', (options) => {
  const names = Object.keys(SAMPLES);
  const sample = (name: string) => SAMPLES[name] ?? {};

  it.each(names)('applying %s twice is applying it once', async (name) => {
    expect(await applied(options, sample(name), sample(name))).toEqual(await applied(options, sample(name)));
  });

  it.each(names)('applying {} after %s leaves the host as it was', async (name) => {
    expect(await applied(options, sample(name), {})).toEqual(await applied(options));
  });

  it.each(names.flatMap((a) => names.map((b) => [a, b])))('%s then %s is the same as the second alone', async (first, then) => {
    expect(await applied(options, sample(first), sample(then))).toEqual(await applied(options, sample(then)));
  });
});

describe('runCommands', () => {
  it('skips a command whose probe succeeds, ignores tolerated failures, and stops at the first real one', async () => {
    const seen: string[] = [];
    const run = async (argv: string[]) => {
      seen.push(argv.join(' '));
      return argv[0] === 'fail' ? { exitCode: 2, stderr: 'Error: Specified qdisc kind is unknown.\n' } : argv[0] === 'probe-no' ? { exitCode: 1, stderr: '' } : { exitCode: 0, stderr: '' };
    };
    const commands = [
      { argv: ['skipped'], unless: ['probe-yes'] },
      { argv: ['added'], unless: ['probe-no'] },
      { argv: ['fail', 'tolerated'], mayFail: true as const },
      { argv: ['fail', 'for', 'real'] },
      { argv: ['never'] },
    ];
    await expect(runCommands(commands, run)).rejects.toThrow(new ImpairmentCommandError(['fail', 'for', 'real'], 2, 'Error: Specified qdisc kind is unknown.\n'));
    await expect(runCommands(commands, run)).rejects.toThrow('`fail for real` failed with exit code 2: Error: Specified qdisc kind is unknown.');
    expect(seen.slice(0, 6)).toEqual(['probe-yes', 'probe-no', 'added', 'fail tolerated', 'fail for real', 'probe-yes']);
  });
});
