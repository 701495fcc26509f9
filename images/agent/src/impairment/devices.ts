import { run } from '../common/run.js';

/** Interface name of each local IPv4 address: Docker's ethN order is not the topology's order. */
export async function devicesByAddress(): Promise<Map<string, string>> {
  const links = JSON.parse(await run(['ip', '-j', '-4', 'addr', 'show'])) as { ifname: string; addr_info: { local: string }[] }[];
  return new Map(links.flatMap((l) => l.addr_info.map((a): [string, string] => [a.local, l.ifname])));
}
