// Where lab nodes are: every container's /etc/hosts maps each node name to its address (emunet
// writes it), so names resolve without any DNS query — nothing leaves the lab. Node lists in
// workload arguments may be written as a range, `n1..n64`.
import { readFileSync } from 'node:fs';
import net from 'node:net';

export class HostsError extends Error {}

/** name -> IPv4 address; the first entry of a name wins, as for the resolver. */
export function parseHosts(text: string): Map<string, string> {
  const hosts = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!address || !net.isIPv4(address)) continue;
    for (const name of names) if (!hosts.has(name)) hosts.set(name, address);
  }
  return hosts;
}

export function readHosts(file = '/etc/hosts'): Map<string, string> {
  return parseHosts(readFileSync(file, 'utf8'));
}

/** `name`, `name:port`, `address` or `address:port` -> where to send. */
export function resolveTarget(target: string, hosts: ReadonlyMap<string, string>, defaultPort: number): { host: string; port: number } {
  const m = /^([^:]+)(?::(\d+))?$/.exec(target);
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  const name = m?.[1] ?? '';
  if (!m || port < 1 || port > 65535) throw new HostsError(`"${target}" is not a node name or address (with an optional :port)`);
  if (net.isIPv4(name)) return { host: name, port };
  const host = hosts.get(name);
  if (!host) throw new HostsError(`node "${name}" is not in /etc/hosts: is it a node of this lab? (known: ${[...hosts.keys()].filter((h) => !h.includes('.') && h !== 'localhost').slice(0, 12).join(', ')}…)`);
  return { host, port };
}

/** A list of node names, or `PREFIXa..PREFIXb` (e.g. `n1..n64`) for a numbered range. */
export function expandNodes(v: unknown, what = 'nodes'): string[] {
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '')) return v as string[];
  if (typeof v === 'string') {
    const range = /^([a-z][a-z0-9-]*?)(\d+)\.\.\1(\d+)$/.exec(v);
    if (range) {
      const [, prefix, a, b] = range;
      const [from, to] = [Number(a), Number(b)];
      if (to < from) throw new HostsError(`${what}: the range "${v}" runs backwards`);
      return Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);
    }
    if (v !== '') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
  throw new HostsError(`${what}: expected a list of node names or a range such as "n1..n64", found ${JSON.stringify(v)}`);
}
