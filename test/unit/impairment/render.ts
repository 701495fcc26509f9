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

// The argv both backends produce for the same settings on eth1 (rates, ifb, link failure are
// backend-independent), pinned once.
export const NO_INGRESS = ['tc qdisc del dev eth1 ingress || true', 'ip link del ifb-eth1 || true'];
export const UP = [
  'iptables -t mangle -D PREROUTING -i eth1 -m comment --comment emunet-down -j DROP || true',
  'iptables -t mangle -D POSTROUTING -o eth1 -m comment --comment emunet-down -j DROP || true',
];
/** `download: 4mbit`: ingress redirected to an ifb device shaped by tbf, the shaper created first. */
export const DOWNLOAD_4MBIT = [
  '[unless ip link show ifb-eth1] ip link add ifb-eth1 type ifb',
  'ip link set dev ifb-eth1 up',
  'tc qdisc replace dev ifb-eth1 root handle 2: tbf rate 4mbit burst 3028 limit 53028',
  'tc qdisc replace dev eth1 handle ffff: ingress',
  'tc filter replace dev eth1 parent ffff: protocol all prio 1 handle 800::800 u32 match u32 0 0 action mirred egress redirect dev ifb-eth1',
];
