// What a NAT gateway installs in its own network namespace, as argv (pure, unit-tested exactly).
// Behaviours, in RFC 4787's terms (mapping / filtering):
//   restricted  endpoint-independent mapping, address-and-port-dependent filtering ("port-restricted
//               cone"): plain Linux SNAT. It keeps the inside source port when it can, so every
//               destination sees the same public port; conntrack lets in only the replies of the
//               exact remote address and port the inside host sent to.
//   symmetric   address-and-port-dependent mapping: SNAT --random-fully draws a new public port for
//               every new conntrack, i.e. for every destination; filtering as above.
//   cone        endpoint-independent mapping AND filtering ("full cone"). conntrack cannot express
//               it, so the gateway agent watches conntrack's events and, while a UDP mapping
//               public:P -> inside:p exists, keeps a DNAT rule sending anything for public:P to
//               inside:p (see cone.ts); FORWARD then admits those (ctstate DNAT).
// In every case FORWARD admits from outside only what conntrack relates to an inside flow (or a
// full-cone DNAT), so outside hosts cannot initiate to inside ones.

export const NAT_TYPES = ['cone', 'restricted', 'symmetric'] as const;
export type NatType = (typeof NAT_TYPES)[number];

export interface NatInterfaces {
  /** Interface on the private network. */
  inside: string;
  /** Interface towards the rest of the lab ("the internet"). */
  outside: string;
  /** The gateway's address on the outside network: every mapping's public address. */
  publicAddress: string;
  /** The private network, CIDR. */
  insideSubnet: string;
}

export interface Command {
  argv: string[];
  /** May fail harmlessly (removing what may not exist). */
  tolerate?: boolean;
}

export const FORWARD_CHAIN = 'EMUNET-NAT';
export const PRE_CHAIN = 'EMUNET-NAT-PRE';
export const POST_CHAIN = 'EMUNET-NAT-POST';
export const RAW_CHAIN = 'EMUNET-NAT-RAW';
export const INPUT_CHAIN = 'EMUNET-NAT-IN';

const ipt = (...args: string[]) => ['iptables', '-w', ...args];

const JUMPS: [table: string, chain: string, target: string][] = [
  ['raw', 'PREROUTING', RAW_CHAIN],
  ['filter', 'FORWARD', FORWARD_CHAIN],
  ['filter', 'INPUT', INPUT_CHAIN],
  ['nat', 'PREROUTING', PRE_CHAIN],
  ['nat', 'POSTROUTING', POST_CHAIN],
];

/** Removes the gateway's chains and their jumps; each may be absent (a first start), so failures are tolerated. */
export function natCleanup(): Command[] {
  return JUMPS.flatMap(([table, chain, target]): Command[] => [
    { argv: ipt('-t', table, '-D', chain, '-j', target), tolerate: true },
    { argv: ipt('-t', table, '-F', target), tolerate: true },
    { argv: ipt('-t', table, '-X', target), tolerate: true },
  ]);
}

/** Everything the gateway runs at start, in order (a restarted container keeps its namespace, so it cleans up first). */
export function natSetup(type: NatType, ifs: NatInterfaces): Command[] {
  const jumps = JUMPS;
  const cleanup = natCleanup();
  const create = jumps.map(([table, , target]): Command => ({ argv: ipt('-t', table, '-N', target) }));
  const { inside, outside } = ifs;
  const forward: string[][] = [
    ['-i', inside, '-o', outside, '-j', 'ACCEPT'],
    ['-i', outside, '-o', inside, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
    ...(type === 'cone' ? [['-i', outside, '-o', inside, '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT']] : []),
    ['-i', outside, '-o', inside, '-j', 'DROP'],
  ];
  // The userspace impairment backend exempts lab interfaces from conntrack (raw: CT --notrack,
  // see orchestrator/impairment/ingress.ts); NAT is conntrack, so the gateway takes its two
  // interfaces back, ahead of those rules (an ACCEPT in raw ends the table, before --notrack).
  const track = [inside, outside].map((dev): Command => ({ argv: ipt('-t', 'raw', '-A', RAW_CHAIN, '-i', dev, '-j', 'ACCEPT') }));
  // Unsolicited UDP to the public address would be delivered to the gateway itself and leave a
  // conntrack entry holding public:P towards that remote; an inside host's later flow to the same
  // remote then gets another port (conntrack keeps tuples unique), i.e. a cone would turn
  // symmetric for that peer. Home gateways drop it; only the echo port (probes) stays open.
  const input = ['-i', outside, '-p', 'udp', '-m', 'conntrack', '--ctstate', 'NEW', '-m', 'udp', '!', '--dport', '7', '-j', 'DROP'];
  const snat = ['-o', outside, '-s', ifs.insideSubnet, '-j', 'SNAT', '--to-source', ifs.publicAddress, ...(type === 'symmetric' ? ['--random-fully'] : [])];
  return [
    ...cleanup,
    ...create,
    ...track,
    ...forward.map((rule) => ({ argv: ipt('-A', FORWARD_CHAIN, ...rule) })),
    { argv: ipt('-A', INPUT_CHAIN, ...input) },
    { argv: ipt('-t', 'nat', '-A', POST_CHAIN, ...snat) },
    // Inserted first: the impairment backend may add its rules to these built-in chains later.
    ...jumps.map(([table, chain, target]): Command => ({ argv: ipt('-t', table, '-I', chain, '1', '-j', target) })),
  ];
}

// The container forwarded before the rules existed; conntrack entries made then carry no
// translation and would keep an early flow (a peer's registration) untranslated for as long as
// it stays alive. Flushing after setup makes every flow start again under the rules.
export const CONNTRACK_FLUSH = ['conntrack', '-F'];

export interface ConeMapping {
  publicPort: number;
  inside: { address: string; port: number };
}

/** The full-cone rule of one mapping: anything for public:P goes to inside:p (`-A` adds, `-D` removes). */
export function coneRule(action: '-A' | '-D', mapping: ConeMapping, ifs: NatInterfaces): string[] {
  return ipt('-t', 'nat', action, PRE_CHAIN, '-i', ifs.outside, '-p', 'udp', '-d', ifs.publicAddress, '--dport', String(mapping.publicPort), '-j', 'DNAT', '--to-destination', `${mapping.inside.address}:${mapping.inside.port}`);
}

/** The network of an address/prefix, as CIDR (10.213.4.7/24 -> 10.213.4.0/24). */
export function subnetOf(address: string, prefix: number): string {
  const n = address.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 0xff).join('.')}/${prefix}`;
}

export function inSubnet(address: string, cidr: string): boolean {
  const [net, prefix] = cidr.split('/');
  return subnetOf(address, Number(prefix)) === `${net}/${prefix}`;
}
