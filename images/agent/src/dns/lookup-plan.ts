// What the dns-lookup workload looks up, in which order, and how each result is described:
// pure, seeded (DESIGN.md contract 5), so the same seed gives the same sequence of names.
import type { Answer } from 'dns-packet';
import { dataOf } from './message.js';
import type { LookupTrace } from './trace.js';
import { mulberry32 } from '../common/random.js';
import { zipfSampler } from '../common/zipf.js';

export { mulberry32 } from '../common/random.js';
export { zipfSampler } from '../common/zipf.js';

export type LookupPlan =
  | { names: string[]; count: number }
  | { zipf: { names: string[]; s: number }; count: number };

/** The names to look up, in order: the list `count` times, or `count` Zipf draws from it. */
export function planLookups(plan: LookupPlan, seed: number): string[] {
  if ('names' in plan) return Array.from({ length: plan.count }, () => plan.names).flat();
  const { names, s } = plan.zipf;
  const draw = zipfSampler(names.length, s, mulberry32(seed));
  return Array.from({ length: plan.count }, () => names[draw()] ?? names[0]!);
}

/** Record data as one token without spaces (the detail column is `key=value` pairs). */
export function rdataText(a: Answer): string {
  const d = dataOf(a);
  if (typeof d === 'string') return d;
  if (Buffer.isBuffer(d)) return d.toString('hex');
  if (Array.isArray(d)) return d.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x))).join('|').replace(/\s/g, '_');
  if (a.type === 'MX' && d && typeof d === 'object') return `${(d as { preference?: number }).preference ?? 0}/${(d as { exchange: string }).exchange}`;
  return JSON.stringify(d).replace(/\s/g, '');
}

/** `rcode=NOERROR answer=10.0.0.5,10.0.0.6 cname=www.x.y cache=miss queries=3 servers=a.root-servers.net,…` */
export function describeLookup(rcode: string, answers: Answer[], qtype: string, trace?: LookupTrace): string {
  const final = answers.filter((a) => a.type === qtype.toUpperCase() || (qtype.toUpperCase() === 'ANY' && a.type !== 'OPT'));
  const cnames = qtype.toUpperCase() === 'CNAME' ? [] : answers.filter((a) => a.type === 'CNAME');
  const parts = [`rcode=${rcode}`, `answer=${final.map(rdataText).join(',')}`];
  if (cnames.length > 0) parts.push(`cname=${cnames.map(rdataText).join(',')}`);
  if (trace) {
    const servers = trace.servers.map((s) => s.split('@')[0] ?? s);
    parts.push(`cache=${trace.cache}`, `queries=${trace.queries}`, `servers=${servers.join(',')}`);
  }
  return parts.join(' ');
}
