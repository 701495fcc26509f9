// The thin executor of an ImpairmentPlan's commands. How a command runs (docker exec from the
// orchestrator, child_process in the agent) is injected, so this stays pure and testable.
import type { Command } from './commands.js';

export interface CommandOutcome {
  exitCode: number;
  stderr: string;
}

export type RunArgv = (argv: string[]) => Promise<CommandOutcome>;

/** A command that failed where failure was not expected: names the command and tc's own words. */
export class ImpairmentCommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`\`${argv.join(' ')}\` failed with exit code ${exitCode}: ${stderr.trim() || '(no message)'}`);
    this.name = 'ImpairmentCommandError';
  }
}

/** Runs the commands in order; stops at the first unexpected failure (mayFail ones are ignored). */
export async function runCommands(commands: readonly Command[], run: RunArgv): Promise<void> {
  for (const command of commands) {
    if (command.unless !== undefined && (await run(command.unless)).exitCode === 0) continue;
    const outcome = await run(command.argv);
    if (outcome.exitCode !== 0 && command.mayFail !== true) throw new ImpairmentCommandError(command.argv, outcome.exitCode, outcome.stderr);
  }
}
