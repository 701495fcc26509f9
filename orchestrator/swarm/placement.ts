// Which engine (host) each node runs on: a pure function of the nodes and the hosts, so every
// decision can be unit-tested for N nodes x M hosts and is the same on every deploy.
//
// Policy, in order:
//  1. `host: NAME` pins a node to that host; `host: KEY=VALUE` restricts it to hosts carrying
//     that label (hosts file `labels:`, or the Swarm node's labels).
//  2. The rest is grouped so that traffic crosses hosts as little as possible: the members of a
//     network stay together, a host-role node on several networks joins them, and a router joins
//     its networks into one group when the group still fits one host's share (⌈N/M⌉); otherwise
//     it goes with its largest network.
//  3. Groups, largest first, go to the least-loaded allowed host. A group larger than what is
//     left on any host (one big network of a thousand peers) is split in contiguous chunks that
//     fill one host to its share before the next.

export interface PlacementHost {
  name: string;
  labels: Record<string, string>;
}

export interface PlacementNode {
  name: string;
  /** The node's networks, primary first. */
  networks: string[];
  /** Routers forward between their networks. */
  forwards: boolean;
  /** `NAME` or `KEY=VALUE`, as written in the topology's `host:`. */
  host?: string;
}

/** node name -> host name */
export type Placement = Map<string, string>;

export class PlacementError extends Error {}

/** The hosts a node may run on, in the hosts' order. */
export function allowedHosts(node: PlacementNode, hosts: PlacementHost[]): string[] {
  if (node.host === undefined) return hosts.map((h) => h.name);
  const eq = node.host.indexOf('=');
  if (eq < 0) {
    if (!hosts.some((h) => h.name === node.host)) {
      throw new PlacementError(`nodes.${node.name}.host: no host named "${node.host}"; the hosts are [${hosts.map((h) => h.name).join(', ')}]\n  fix: use one of those names, or KEY=VALUE to choose by label`);
    }
    return [node.host];
  }
  const [key, value] = [node.host.slice(0, eq), node.host.slice(eq + 1)];
  const matching = hosts.filter((h) => h.labels[key] === value).map((h) => h.name);
  if (matching.length === 0) {
    const labelled = hosts.map((h) => `${h.name} {${Object.entries(h.labels).map(([k, v]) => `${k}=${v}`).join(', ')}}`).join('; ');
    throw new PlacementError(`nodes.${node.name}.host: no host has the label ${key}=${value}; hosts and labels: ${labelled}\n  fix: add the label to a host (hosts file \`labels:\`, or \`docker node update --label-add ${key}=${value} NODE\`)`);
  }
  return matching;
}

export function placeNodes(nodes: PlacementNode[], hosts: PlacementHost[]): Placement {
  if (hosts.length === 0) throw new PlacementError('no hosts to place the lab on');
  const share = Math.ceil(nodes.length / hosts.length);
  const load = new Map(hosts.map((h) => [h.name, 0]));
  const placement: Placement = new Map();
  const put = (node: string, host: string) => { placement.set(node, host); load.set(host, load.get(host)! + 1); };
  const allowed = new Map(nodes.map((n) => [n.name, allowedHosts(n, hosts)]));
  const leastLoaded = (names: string[]) => names.reduce((best, h) => (load.get(h)! < load.get(best)! ? h : best));

  for (const n of nodes) if (allowed.get(n.name)!.length === 1) put(n.name, allowed.get(n.name)![0]!);
  const free = nodes.filter((n) => !placement.has(n.name));

  for (const group of groupsOf(free, share)) {
    const common = hosts.map((h) => h.name).filter((h) => group.every((n) => allowed.get(n.name)!.includes(h)));
    const target = common.length > 0 ? leastLoaded(common) : undefined;
    if (target !== undefined && load.get(target)! + group.length <= share) {
      for (const n of group) put(n.name, target);
      continue;
    }
    // Split: fill the least-loaded host to its share, then the next, member by member.
    for (const n of group) {
      const options = allowed.get(n.name)!;
      const open = options.filter((h) => load.get(h)! < share);
      put(n.name, open.length > 0 ? fullestOpen(open, load) : leastLoaded(options));
    }
  }
  return placement;
}

/** Among hosts with room, the one already holding most: keeps a split group in contiguous chunks. */
function fullestOpen(open: string[], load: Map<string, number>): string {
  return open.reduce((best, h) => (load.get(h)! > load.get(best)! ? h : best));
}

/** Groups of nodes to keep on one host, largest first (ties: declaration order). */
export function groupsOf(nodes: PlacementNode[], share: number): PlacementNode[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => { const [ra, rb] = [find(a), find(b)]; if (ra !== rb) parent.set(rb, ra); };
  // A node without networks is its own group (key by node name, never clashing with a network).
  const keys = (n: PlacementNode) => (n.networks.length > 0 ? n.networks.map((x) => `net:${x}`) : [`node:${n.name}`]);
  for (const n of nodes) for (const k of keys(n)) if (!parent.has(k)) parent.set(k, k);

  const size = new Map<string, number>();
  const add = (root: string) => size.set(root, (size.get(root) ?? 0) + 1);
  const hostsFirst = nodes.filter((n) => !n.forwards);
  for (const n of hostsFirst) { const ks = keys(n); for (const k of ks.slice(1)) union(ks[0]!, k); }
  for (const n of hostsFirst) add(find(keys(n)[0]!));
  const home = new Map<string, string>();
  for (const n of nodes.filter((x) => x.forwards)) {
    const roots = [...new Set(keys(n).map(find))];
    const together = roots.reduce((s, r) => s + (size.get(r) ?? 0), 1);
    if (together <= share) {
      for (const r of roots.slice(1)) union(roots[0]!, r);
      size.set(find(roots[0]!), together - 1);
    }
    const rootsNow = [...new Set(keys(n).map(find))];
    const biggest = rootsNow.reduce((best, r) => ((size.get(r) ?? 0) > (size.get(best) ?? 0) ? r : best));
    home.set(n.name, biggest);
    add(biggest);
  }

  const groups = new Map<string, PlacementNode[]>();
  for (const n of nodes) {
    const root = find(home.get(n.name) ?? keys(n)[0]!);
    if (!groups.has(root)) groups.set(root, []);
    groups.get(root)!.push(n);
  }
  // Map iteration is insertion order (first member's declaration order): a stable tie-break.
  return [...groups.values()].sort((a, b) => b.length - a.length);
}
