// The resolver's defences against off-path spoofing, each switchable so an experiment can show
// what it is worth (docs/dns-security.md). A forged response is accepted only if it comes from
// the queried server's address and port 53 to our source port, with our ID and our question:
//   random IDs       16 bits to guess (off: one counter, +1 per query, which a probe reveals)
//   random ports     ~16 more bits (RFC 5452; off: every query leaves one fixed port)
//   0x20             one more bit per letter of the name: its case, echoed by the server
// Pure generators over injected randomness; the fixed-port socket is in fixed-port.ts.

/** The source port every query uses when port randomisation is off (BIND's old query-source port). */
export const FIXED_SOURCE_PORT = 5353 + 1;

/** IDs 1, 2, 3, … from `start`: what resolvers did before 1997, predictable once one is seen. */
export function sequentialIds(start = 1): () => number {
  let next = start & 0xffff;
  return () => {
    const id = next;
    next = (next + 1) & 0xffff;
    return id;
  };
}

/** 0x20 encoding: each letter upper or lower case at random (digits and '-' carry no bit). */
export function mixCase(random: () => number): (name: string) => string {
  return (name) => name.replace(/[a-z]/gi, (c) => (random() < 0.5 ? c.toLowerCase() : c.toUpperCase()));
}

/** Bits of 0x20 entropy a name carries: one per letter. */
export const caseBits = (name: string): number => (name.match(/[a-z]/gi) ?? []).length;

export interface DefenceSwitches { randomId: boolean; randomPort: boolean; caseRandomization: boolean }

/** The chance one forged packet is accepted, as the lecture's arithmetic puts it. */
export function guessProbability(d: DefenceSwitches, name: string, ephemeralPorts = 65536 - 1024): number {
  return (d.randomId ? 1 / 65536 : 1) * (d.randomPort ? 1 / ephemeralPorts : 1) * (d.caseRandomization ? 2 ** -caseBits(name) : 1);
}
