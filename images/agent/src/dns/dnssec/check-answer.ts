// Validating what a lookup ended with: every RRset of the answer (the CNAME chain included), and
// for a negative answer its SOA and NSEC proof. One bogus RRset makes the whole answer bogus.
import type { Answer } from 'dns-packet';
import { normalizeName } from '../names.js';
import type { ChainValidator, Denial, Verdict } from './validator.js';

/** Records grouped into RRsets (owner + type), in order of first appearance. */
export function rrsets(records: Answer[]): Answer[][] {
  const sets = new Map<string, Answer[]>();
  for (const r of records) {
    if (r.type === 'RRSIG' || r.type === 'OPT') continue;
    const key = `${r.name.toLowerCase()} ${r.type}`;
    sets.set(key, [...(sets.get(key) ?? []), r]);
  }
  return [...sets.values()];
}

/** secure only if every RRset is; bogus if any is; else insecure. */
export async function checkAnswer(validator: ChainValidator, records: Answer[], sigsOf: (name: string, type: string) => Answer[]): Promise<Verdict> {
  let insecure: Verdict | undefined;
  for (const set of rrsets(records)) {
    const first = set[0]!;
    const verdict = await validator.validate(set, sigsOf(first.name.toLowerCase(), first.type));
    if (verdict.status === 'bogus') return verdict;
    if (verdict.status === 'insecure') insecure = verdict;
  }
  return insecure ?? { status: 'secure' };
}

/** `records` (the answer or the CNAME chain before a denial) and then `denial`, if any: the weakest verdict of the two. */
export async function checkLookup(validator: ChainValidator, records: Answer[], denial: Omit<Denial, 'sigs'> | undefined, sigsOf: (name: string, type: string) => Answer[]): Promise<Verdict> {
  const verdict = await checkAnswer(validator, records, sigsOf);
  if (!denial || verdict.status === 'bogus') return verdict;
  const proof = [...(denial.soa ? [denial.soa] : []), ...denial.nsec];
  const sigs = proof.flatMap((r) => sigsOf(normalizeName(r.name), r.type));
  const denied = await validator.validateDenial({ ...denial, sigs });
  const rank = { secure: 0, insecure: 1, bogus: 2 };
  return rank[denied.status] > rank[verdict.status] ? denied : verdict;
}
