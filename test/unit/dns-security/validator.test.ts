import type { Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { dsOf, zoneKeys } from '../../../orchestrator/dnssec/keys.js';
import { signZone, wireData } from '../../../orchestrator/dnssec/sign.js';
import type { AgentZone } from '../../../orchestrator/dns/plan.js';
import { ChainValidator, verifyRRset, type Fetched } from '../../../images/agent/src/dns/dnssec/validator.js';
import type { DnskeyData } from '../../../images/agent/src/dns/dnssec/wire.js';
import { classify } from '../../../images/agent/src/dns/classify.js';
import { caseBits, guessProbability, mixCase, sequentialIds } from '../../../images/agent/src/dns/defences.js';
import { forgedResponse, guess, guessCase, learn } from '../../../images/agent/src/dns/attack/forge.js';
import { mulberry32 } from '../../../images/agent/src/common/random.js';
import { matchesQuery } from '../../../images/agent/src/dns/upstream.js';
import dnsPacket from 'dns-packet';

const soa = (z: string) => ({ name: z, type: 'SOA', ttl: 3600, data: { mname: `ns.${z}`, rname: `h.${z}`, serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 300 } });
const lab = 'unit';
const window = { inception: 1735689600, expiration: 3629145600 };
const zones: AgentZone[] = [
  { origin: '.', records: [soa('.'), { name: 'edu', type: 'NS', ttl: 3600, data: 'a.edu' }] },
  { origin: 'edu', records: [soa('edu'), { name: 'bank.edu', type: 'NS', ttl: 3600, data: 'ns.bank.edu' }] },
  { origin: 'bank.edu', records: [soa('bank.edu'), { name: 'www.bank.edu', type: 'A', ttl: 3600, data: '10.0.0.80' }, { name: 'bad.bank.edu', type: 'A', ttl: 3600, data: '10.0.0.81' }] },
];
const child = new Map([['.', 'edu'], ['edu', 'bank.edu']]);
const signed = zones.map((z) => signZone(z, { keys: zoneKeys(lab, z.origin), childDs: new Map(child.has(z.origin) ? [[child.get(z.origin)!, dsOf(zoneKeys(lab, child.get(z.origin)!))]] : []), broken: z.origin === 'bank.edu' ? ['bad.bank.edu'] : [], ...window }));
const answer = (r: { name: string; type: string; ttl: number; data: unknown }) => ({ name: r.name, type: r.type, class: 'IN', ttl: r.ttl, data: wireData(r as never) }) as Answer;
/** The set and its RRSIGs from the signed zone that owns it (DS from the parent). */
function fetch(name: string, type: string): Fetched {
  const z = signed.filter((s) => (type === 'DS' ? s.origin !== name : true) && (s.origin === '.' || name === s.origin || name.endsWith(`.${s.origin}`))).sort((a, b) => b.origin.length - a.origin.length)[0]!;
  const records = z.records.filter((r) => r.name === name && r.type === type).map(answer);
  if (records.length === 0) return { negative: true, kind: 'nodata', name, type, nsec: [], sigs: [] };
  return { records, sigs: z.records.filter((r) => r.name === name && r.type === 'RRSIG' && (r.data as { typeCovered: string }).typeCovered === type).map(answer) };
}
const anchor = zoneKeys(lab, '.').ksk.dnskey;
const validator = (a: DnskeyData = anchor) => new ChainValidator(a, { lookup: async (n, t) => fetch(n, t), zoneOf: (n) => (n.endsWith('bank.edu') ? 'bank.edu' : n.endsWith('edu') ? 'edu' : '.'), now: () => 1790000000 });
const set = (name: string) => fetch(name, 'A') as { records: Answer[]; sigs: Answer[] };

describe('the validator', () => {
  it('is secure along root -> edu -> bank.edu from the root KSK', async () => {
    expect(await validator().validate(set('www.bank.edu').records, set('www.bank.edu').sigs)).toEqual({ status: 'secure' });
  });

  it('is bogus for a broken signature, a missing RRSIG, changed data, or a wrong trust anchor', async () => {
    expect((await validator().validate(set('bad.bank.edu').records, set('bad.bank.edu').sigs)).status).toBe('bogus');
    expect((await validator().validate(set('www.bank.edu').records, [])).status).toBe('bogus');
    const forged = [{ ...set('www.bank.edu').records[0]!, data: '6.6.6.6' } as Answer];
    expect((await validator().validate(forged, set('www.bank.edu').sigs)).status).toBe('bogus');
    expect((await validator(zoneKeys('other-lab', '.').ksk.dnskey).validate(set('www.bank.edu').records, set('www.bank.edu').sigs)).status).toBe('bogus');
  });

  it('rejects signatures outside their validity period', () => {
    const keys = (fetch('bank.edu', 'DNSKEY') as { records: Answer[] }).records.map((r) => (r as unknown as { data: DnskeyData }).data);
    expect(verifyRRset(set('www.bank.edu').records, set('www.bank.edu').sigs, keys, 1790000000).status).toBe('secure');
    expect(verifyRRset(set('www.bank.edu').records, set('www.bank.edu').sigs, keys, 1700000000).status).toBe('bogus');
  });
});

describe('the bailiwick filter', () => {
  it('drops out-of-bailiwick records of a response: only names under the zone asked count', () => {
    const response = dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, flags: 1 << 10, questions: [{ name: 'www.evil.edu', type: 'A' }],
      answers: [{ name: 'www.evil.edu', type: 'A', ttl: 60, data: '10.6.6.6' }, { name: 'www.bank.edu', type: 'A', ttl: 60, data: '10.6.6.6' }] }));
    const kept = classify(response, 'www.evil.edu', 'A', 'evil.edu');
    expect(kept.kind === 'answer' && kept.records.map((r) => r.name)).toEqual(['www.evil.edu']);
  });
});

describe('the spoofing arithmetic', () => {
  it('sequential IDs count up and wrap; 0x20 mixes case, seeded, and only an exact echo matches', () => {
    const next = sequentialIds(0xfffe);
    expect([next(), next(), next()]).toEqual([0xfffe, 0xffff, 0]);
    const mixed = mixCase(mulberry32(7))('www.bank.edu');
    expect(mixed.toLowerCase()).toBe('www.bank.edu');
    expect(mixed).not.toBe('www.bank.edu');
    expect(caseBits('x1.bank.edu')).toBe(8);
    const question = { name: mixed, type: 'A' as const, class: 'IN' as const };
    const reply = (name: string) => dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 9, questions: [{ name, type: 'A', class: 'IN' }] }));
    expect(matchesQuery(9, question, reply('www.bank.edu'), true)).toBe(false);
    expect(matchesQuery(9, question, reply(mixed), true)).toBe(true);
    expect(matchesQuery(9, question, reply('www.bank.edu'), false)).toBe(true);
  });

  it('gives the chance of one forged packet as the lecture counts it', () => {
    expect(guessProbability({ randomId: false, randomPort: false, caseRandomization: false }, 'x.bank.edu')).toBe(1);
    expect(guessProbability({ randomId: true, randomPort: false, caseRandomization: false }, 'x.bank.edu')).toBe(1 / 65536);
    expect(guessProbability({ randomId: true, randomPort: true, caseRandomization: true }, 'x.bank.edu')).toBeCloseTo(1 / 65536 / 64512 / 2 ** 8, 25);
  });

  it('the attacker learns fixed ports and sequential IDs from two probes, and guesses the IDs after the last one', () => {
    const know = learn({ id: 100, port: 5354 }, { id: 103, port: 5354 });
    expect(know).toEqual({ lastId: 103, lastPort: 5354, sequentialIds: true, fixedPort: true, mixedCase: false });
    expect(guessCase('ab1.bank.edu', know, Math.random)).toBe('ab1.bank.edu');
    expect([0, 1, 31, 32].map((k) => guess(k, know, Math.random))).toEqual([{ id: 104, port: 5354 }, { id: 105, port: 5354 }, { id: 135, port: 5354 }, { id: 104, port: 5354 }]);
    expect(learn({ id: 100, port: 40000 }, { id: 9000, port: 51000 })).toMatchObject({ sequentialIds: false, fixedPort: false });
    const forged = dnsPacket.decode(forgedResponse({ trigger: 'x1.bank.edu', victim: 'www.bank.edu', fake: '10.6.6.6', ttl: 60 }, 104));
    expect(forged.id).toBe(104);
    expect(forged.answers?.map((a) => `${a.name} ${a.type}`)).toEqual(['x1.bank.edu CNAME', 'www.bank.edu A']);
  });

  it('against 0x20 the attacker guesses the case of every letter afresh in each forged packet', () => {
    const know = learn({ id: 1, port: 5354, name: 'p1.EviL.edu' }, { id: 2, port: 5354, name: 'p2.evil.EDU' });
    expect(know.mixedCase).toBe(true);
    const cases = new Set(Array.from({ length: 200 }, () => guessCase('abc.bank.edu', know, Math.random)));
    expect(cases.size).toBeGreaterThan(100); // 2^10 spellings: each packet is a fresh guess
    for (const c of cases) expect(c.toLowerCase()).toBe('abc.bank.edu');
  });
});
