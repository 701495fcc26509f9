// Full-cone (endpoint-independent) filtering on top of Linux conntrack. conntrack only admits a
// reply from the exact remote an inside host sent to; a full cone admits anyone to a mapping's
// public port while the mapping lives. `conntrack -E` reports every UDP flow as it is confirmed
// and destroyed, with both tuples, so the gateway can see each mapping public:P -> inside:p and
// keep one DNAT rule per live mapping (reference-counted over the flows using it).
import { inSubnet, type ConeMapping, type NatInterfaces } from './rules.js';

export interface Tuple { src: string; dst: string; sport: number; dport: number }
export interface ConntrackEvent { event: 'NEW' | 'UPDATE' | 'DESTROY'; protocol: string; original: Tuple; reply: Tuple }

/**
 * One line of `conntrack -E` output, e.g.
 * `[NEW] udp 17 30 src=10.0.1.2 dst=10.0.0.5 sport=5000 dport=3478 [UNREPLIED] src=10.0.0.5 dst=10.0.0.9 sport=3478 dport=5000`:
 * the first src/dst/sport/dport are the original direction, the second the expected reply.
 */
export function parseConntrackEvent(line: string): ConntrackEvent | undefined {
  const m = /^\s*\[(NEW|UPDATE|DESTROY)\]\s+(\w+)/.exec(line);
  if (!m) return undefined;
  const values: Record<string, string[]> = {};
  for (const [, key, value] of line.matchAll(/\b(src|dst|sport|dport)=(\S+)/g)) (values[key!] ??= []).push(value!);
  const tuple = (i: number): Tuple | undefined => {
    const [src, dst, sport, dport] = (['src', 'dst', 'sport', 'dport'] as const).map((k) => values[k]?.[i]);
    return src && dst && sport && dport ? { src, dst, sport: Number(sport), dport: Number(dport) } : undefined;
  };
  const original = tuple(0);
  const reply = tuple(1);
  return original && reply ? { event: m[1] as ConntrackEvent['event'], protocol: m[2]!, original, reply } : undefined;
}

/** The mapping a translated UDP flow uses: outbound (SNAT by us) or inbound through a full-cone DNAT. */
export function mappingOf(e: ConntrackEvent, ifs: NatInterfaces): ConeMapping | undefined {
  if (e.protocol !== 'udp') return undefined;
  const { original: o, reply: r } = e;
  if (inSubnet(o.src, ifs.insideSubnet) && r.dst === ifs.publicAddress) return { publicPort: r.dport, inside: { address: o.src, port: o.sport } };
  if (o.dst === ifs.publicAddress && inSubnet(r.src, ifs.insideSubnet)) return { publicPort: o.dport, inside: { address: r.src, port: r.sport } };
  return undefined;
}

const flowKey = ({ original: o }: ConntrackEvent) => `${o.src}:${o.sport}>${o.dst}:${o.dport}`;

export type RuleChange = { action: '-A' | '-D'; mapping: ConeMapping };

/** Live mappings, counted over the flows that use them: a rule appears with the first flow and goes with the last. */
export class ConeMappings {
  private readonly flows = new Map<string, number>(); // flow -> public port
  private readonly ports = new Map<number, { mapping: ConeMapping; flows: number }>();

  constructor(private readonly ifs: NatInterfaces) {}

  apply(e: ConntrackEvent): RuleChange[] {
    const key = flowKey(e);
    if (e.event === 'DESTROY') {
      const port = this.flows.get(key);
      if (port === undefined) return [];
      this.flows.delete(key);
      const entry = this.ports.get(port)!;
      if (--entry.flows > 0) return [];
      this.ports.delete(port);
      return [{ action: '-D', mapping: entry.mapping }];
    }
    if (e.event !== 'NEW' || this.flows.has(key)) return [];
    const mapping = mappingOf(e, this.ifs);
    if (!mapping) return [];
    this.flows.set(key, mapping.publicPort);
    const entry = this.ports.get(mapping.publicPort);
    if (entry) {
      entry.flows++;
      return [];
    }
    this.ports.set(mapping.publicPort, { mapping, flows: 1 });
    return [{ action: '-A', mapping }];
  }

  /** Every live mapping (for the gateway's status). */
  list(): ConeMapping[] {
    return [...this.ports.values()].map((p) => p.mapping);
  }
}
