// Is the ring stable? Given every member's status, compare its successors, predecessor and
// (shortcuts) fingers with what the membership implies. Pure: dht-setup and dht-wait-stable
// poll with it, and its list of differences is the error when the ring never settles.
import { describeRef, type NodeRef, type Status } from './messages.js';
import { idealTables } from './routing.js';

const ids = (list: (NodeRef | null)[]): string => list.map((n) => (n ? n.id : '-')).join(',');
const names = (list: (NodeRef | null)[]): string => `[${list.map(describeRef).join(', ')}]`;

/** What differs from a stable ring; empty when stable. */
export function ringProblems(statuses: Status[]): string[] {
  const members = statuses.filter((s) => s.member);
  if (members.length === 0) return ['no node is a member of a ring'];
  const problems: string[] = [];
  const byId = new Map<number, Status>();
  for (const s of members) {
    const other = byId.get(s.self.id);
    if (other) problems.push(`${s.self.name} and ${other.self.name} both have id ${s.self.id}: give one another config.id, or use a larger m`);
    byId.set(s.self.id, s);
  }
  const { m, successors: r, mode } = members[0]!.params;
  const disagree = members.filter((s) => s.params.m !== m || s.params.mode !== mode || s.params.successors !== r);
  for (const s of disagree) problems.push(`${s.self.name} has m=${s.params.m} mode=${s.params.mode} successors=${s.params.successors}, the ring m=${m} mode=${mode} successors=${r}`);
  if (problems.length > 0) return problems;
  const ideal = idealTables(members.map((s) => s.self), m, r);
  for (const s of members) {
    const want = ideal.get(s.self.id)!;
    if (ids(s.successors) !== ids(want.successors)) problems.push(`${s.self.name}: successors ${names(s.successors)}, expected ${names(want.successors)}`);
    const lone = members.length === 1;
    if (!lone && s.predecessor?.id !== want.predecessor.id) problems.push(`${s.self.name}: predecessor ${describeRef(s.predecessor)}, expected ${describeRef(want.predecessor)}`);
    if (mode === 'shortcuts' && !lone && ids(s.fingers) !== ids(want.fingers)) problems.push(`${s.self.name}: fingers ${ids(s.fingers)}, expected ${ids(want.fingers)}`);
  }
  return problems;
}
