import type { Command } from '../../../orchestrator/impairment/commands.js';

/**
 * A command as one line, for exact comparisons that read like a shell session:
 * `[unless PROBE] ARGV` and a trailing `|| true` for tolerated failures. Refuses arguments with
 * spaces, so joining loses nothing.
 */
export function render(command: Command): string {
  const words = [...command.argv, ...(command.unless ?? [])];
  const spaced = words.find((w) => w === '' || /\s/.test(w));
  if (spaced !== undefined) throw new Error(`argument ${JSON.stringify(spaced)} cannot be rendered on one line`);
  const unless = command.unless === undefined ? '' : `[unless ${command.unless.join(' ')}] `;
  return `${unless}${command.argv.join(' ')}${command.mayFail === true ? ' || true' : ''}`;
}
