// The shape every builder produces, and the iptables rules of the impairment engine.
//
// Applying is idempotent by construction: what must exist is created with `replace` or guarded
// by a probe (`unless`), what must not exist is deleted with its failure tolerated (`mayFail`).
// So applying the same impairment twice yields the same state as once, and applying `{}` resets.
// Pure: bundled into the in-container agent too.

/** One step, run without a shell, in order; any unexpected failure stops the sequence. */
export interface Command {
  argv: string[];
  /** Deleting what may already be gone: a non-zero exit is expected and ignored. */
  mayFail?: true;
  /** A probe: when it exits 0 the thing is already in place and `argv` is skipped. */
  unless?: string[];
}

/** The commands that bring one interface to a given impairment. */
export interface ImpairmentPlan {
  commands: Command[];
}

interface IptablesRule {
  table: string;
  chain: string;
  /** Everything after the chain name. */
  spec: string[];
  /** Where a new rule goes: `first` (-I) when it must act before the others in the chain. */
  position: 'first' | 'last';
}

const iptables = (rule: IptablesRule, operation: '-I' | '-A' | '-C' | '-D') => ['iptables', '-t', rule.table, operation, rule.chain, ...rule.spec];

export const addArgv = (rule: IptablesRule) => iptables(rule, rule.position === 'first' ? '-I' : '-A');
export const removeArgv = (rule: IptablesRule) => iptables(rule, '-D');

/** Adds the rule unless an identical one is there (`iptables -A` alone would stack duplicates). */
export const ensureRule = (rule: IptablesRule): Command => ({ argv: addArgv(rule), unless: iptables(rule, '-C') });
export const dropRule = (rule: IptablesRule): Command => ({ argv: removeArgv(rule), mayFail: true });

/** Comments tag emunet's rules, so a person reading `iptables -t mangle -S` knows whose they are. */
export const DOWN_COMMENT = 'emunet-down';

/**
 * A failed link: everything in and out of the device is dropped. Not `ip link set down`: that
 * deletes the device's addresses' routes (the static routes emunet installed would be gone when
 * the link comes back), while a DROP rule leaves the device, its addresses and its routes alone.
 * Inserted first in their chains: a packet handed to the delayer's NFQUEUE and accepted resumes
 * after the whole mangle table, so a DROP placed after that rule would never see it.
 */
export function linkDownRuleSet(dev: string): IptablesRule[] {
  const tagged = ['-m', 'comment', '--comment', DOWN_COMMENT, '-j', 'DROP'];
  return [
    { table: 'mangle', chain: 'PREROUTING', spec: ['-i', dev, ...tagged], position: 'first' },
    { table: 'mangle', chain: 'POSTROUTING', spec: ['-o', dev, ...tagged], position: 'first' },
  ];
}

export function linkDownRules(dev: string): { add: string[][]; remove: string[][] } {
  const rules = linkDownRuleSet(dev);
  return { add: rules.map(addArgv), remove: rules.map(removeArgv) };
}
