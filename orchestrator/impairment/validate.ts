// Which impairments make sense, and which a backend can carry out. Pure: the topology checks use
// impairmentProblems to point at the offending key; builders call validateImpairment before
// producing a single command, so nothing is half-applied.
import { settingKey } from './settings.js';
import type { ImpairmentBackend, LinkImpairment } from './spec.js';

const isSet = (value: number | undefined): value is number => value !== undefined && value > 0;

export interface ImpairmentProblem {
  /** The field at fault: the one to point at in the topology. */
  field: keyof LinkImpairment;
  message: string;
  hint: string;
}

/** Settings that depend on another one that is missing (netem would refuse or ignore them). */
export function impairmentProblems(impairment: LinkImpairment): ImpairmentProblem[] {
  const { delayUs, jitterUs, distribution, delayCorrelationPct, lossPct, lossCorrelationPct, reorderPct } = impairment;
  const problems: ImpairmentProblem[] = [];
  const needs = (field: keyof LinkImpairment, what: string, needed: keyof LinkImpairment, example: string) =>
    problems.push({
      field,
      message: `${settingKey(field)} ${what}, but no ${settingKey(needed)} is set`,
      hint: `set \`${settingKey(needed)}:\` as well (e.g. \`${settingKey(needed)}: ${example}\`), or remove \`${settingKey(field)}:\``,
    });
  if (isSet(jitterUs) && !isSet(delayUs)) needs('jitterUs', 'varies the delay around its mean', 'delayUs', '40ms');
  if (distribution !== undefined && !isSet(jitterUs)) needs('distribution', 'shapes the jitter', 'jitterUs', '5ms');
  if (isSet(delayCorrelationPct) && !isSet(jitterUs)) needs('delayCorrelationPct', 'relates successive jitter values', 'jitterUs', '5ms');
  if (isSet(lossCorrelationPct) && !isSet(lossPct)) needs('lossCorrelationPct', 'relates successive losses', 'lossPct', '1%');
  if (isSet(reorderPct) && !isSet(delayUs)) needs('reorderPct', 'sends some packets without the delay so they overtake the others', 'delayUs', '40ms');
  return problems;
}

/** Fields only the kernel's netem can carry out: the userspace delayer does not alter packets. */
export const NETEM_ONLY_FIELDS = ['duplicatePct', 'corruptPct'] as const satisfies readonly (keyof LinkImpairment)[];

/** Whether the userspace backend needs its NFQUEUE delayer for this interface. */
export function needsDelayer(impairment: LinkImpairment): boolean {
  return [impairment.delayUs, impairment.jitterUs, impairment.lossPct, impairment.reorderPct].some(isSet);
}

/** Whether the netem backend needs a netem qdisc (a rate alone is a plain tbf on both backends). */
export function needsNetem(impairment: LinkImpairment): boolean {
  return needsDelayer(impairment) || isSet(impairment.duplicatePct) || isSet(impairment.corruptPct);
}

/** A setting this host's backend cannot carry out. */
export class UnsupportedImpairment extends Error {
  readonly key: string;
  readonly hint: string;

  constructor(
    readonly field: keyof LinkImpairment,
    readonly backend: ImpairmentBackend,
  ) {
    const key = settingKey(field);
    super(`${key} is not supported by the ${backend} impairment backend: only the kernel's sch_netem can ${key === 'duplicate' ? 'duplicate' : 'corrupt'} packets, and this host has none`);
    this.name = 'UnsupportedImpairment';
    this.key = key;
    this.hint = `run the lab on a host whose kernel has sch_netem (\`modprobe sch_netem\`), or remove \`${key}:\``;
  }

  format(): string {
    return `${this.message}\n    fix: ${this.hint}`;
  }
}

/** Settings that contradict each other (see impairmentProblems). */
export class InvalidImpairment extends Error {
  constructor(readonly problems: ImpairmentProblem[]) {
    super(problems.map((p) => `${p.message}\n    fix: ${p.hint}`).join('\n'));
    this.name = 'InvalidImpairment';
  }
}

/** Throws InvalidImpairment or UnsupportedImpairment; returns when the backend can apply it as given. */
export function validateImpairment(impairment: LinkImpairment, backend: ImpairmentBackend): void {
  const problems = impairmentProblems(impairment);
  if (problems.length > 0) throw new InvalidImpairment(problems);
  if (backend === 'userspace') {
    const unsupported = NETEM_ONLY_FIELDS.find((field) => isSet(impairment[field]));
    if (unsupported !== undefined) throw new UnsupportedImpairment(unsupported, backend);
  }
}
