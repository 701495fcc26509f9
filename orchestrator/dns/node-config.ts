// What DNS nodes say in their `config:` (as users write it), checked with the path of each
// problem so the topology error points at the key.
import { parseDuration } from '../impairment/units.js';
import { closestName } from '../topology/closest-name.js';
import { canonicalZone } from './names.js';

export const SERVER_ROLES = ['dns-root', 'dns-tld', 'dns-auth', 'dns-attacker'] as const;
export const isServerRole = (role: string) => (SERVER_ROLES as readonly string[]).includes(role);

export interface ServerNodeConfig {
  /** Zones it serves (the root zone for dns-root, whatever else is listed). */
  zones: string[];
  /** Its NS host name; default NODE.ZONE in each zone. */
  name?: string;
  /** Follow referrals itself for RD=1 queries (the lecture's recursive chain); default: when any resolver is recursive. */
  recursion?: boolean;
  /** dns-attacker only: records it slips into the additional section of every answer (name -> IPv4 address or node). */
  inject?: Record<string, string>;
}

export interface ResolverNodeConfig {
  mode: 'iterative' | 'recursive';
  negativeCache: boolean;
  timeoutMs: number;
  retries: number;
  backoff: number;
  cacheSize: number;
  /** Recursive mode: nodes to forward to (default: the root servers). */
  forwarders: string[];
  /** The defences against cache poisoning (docs/dns-security.md); `dnssec` undefined: validate when the root zone is signed. */
  defences: { bailiwick: boolean; randomPort: boolean; randomId: boolean; caseRandomization: boolean; dnssec?: boolean };
}

export interface ConfigProblem { key: (string | number)[]; message: string; hint?: string }

const SERVER_KEYS = ['zones', 'name', 'recursion'];
const RESOLVER_KEYS = ['mode', 'negative-cache', 'timeout', 'retries', 'backoff', 'cache-size', 'forwarders', 'bailiwick', 'random-port', 'random-id', 'randomize-case', 'dnssec'];
const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\.?$/;
const ZONE_NAME = /^(\.|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?)$/;

function unknownKeys(config: Record<string, unknown>, known: string[], role: string): ConfigProblem[] {
  return Object.keys(config).filter((k) => !known.includes(k)).map((k) => {
    const close = closestName(k, known);
    return { key: [k], message: `unknown key "${k}" in the config of a ${role} node; expected one of [${known.join(', ')}]`, ...(close ? { hint: `did you mean "${close}"?` } : {}) };
  });
}

export function serverConfig(role: string, config: Record<string, unknown>): { value: ServerNodeConfig; problems: ConfigProblem[] } {
  const problems = unknownKeys(config, role === 'dns-attacker' ? [...SERVER_KEYS, 'inject'] : SERVER_KEYS, role);
  const zones: string[] = role === 'dns-root' ? ['.'] : [];
  const listed = config.zones;
  if (listed !== undefined && !(Array.isArray(listed) && listed.every((z) => typeof z === 'string' && ZONE_NAME.test(z)))) {
    problems.push({ key: ['zones'], message: `zones must be a list of domain names, e.g. [stanford.edu]; found ${JSON.stringify(listed)}` });
  } else for (const z of (listed ?? []) as string[]) if (!zones.includes(canonicalZone(z))) zones.push(canonicalZone(z));
  if (zones.length === 0) problems.push({ key: role === 'dns-root' ? [] : ['zones'], message: `a ${role} node serves the zones listed in \`config.zones\`; it lists none`, hint: 'add `config: { zones: [example.edu] }`' });
  const name = config.name;
  if (name !== undefined && (typeof name !== 'string' || !HOST_NAME.test(name))) problems.push({ key: ['name'], message: `name must be the server's host name, e.g. dns.stanford.edu; found ${JSON.stringify(name)}` });
  const recursion = config.recursion;
  if (recursion !== undefined && typeof recursion !== 'boolean') problems.push({ key: ['recursion'], message: `recursion must be true or false; found ${JSON.stringify(recursion)}` });
  const inject = config.inject;
  const injectOk = inject === undefined || (typeof inject === 'object' && inject !== null && !Array.isArray(inject) && Object.entries(inject).every(([k, v]) => HOST_NAME.test(k) && typeof v === 'string'));
  if (!injectOk) problems.push({ key: ['inject'], message: `inject must map names to an IPv4 address or a node, e.g. { www.bank.edu: attacker }; found ${JSON.stringify(inject)}` });
  return {
    value: {
      zones, ...(typeof name === 'string' ? { name: canonicalZone(name) } : {}), ...(typeof recursion === 'boolean' ? { recursion } : {}),
      ...(injectOk && inject !== undefined ? { inject: Object.fromEntries(Object.entries(inject as Record<string, string>).map(([k, v]) => [canonicalZone(k), v])) } : {}),
    },
    problems,
  };
}

export function resolverConfig(config: Record<string, unknown>): { value: ResolverNodeConfig; problems: ConfigProblem[] } {
  const problems = unknownKeys(config, RESOLVER_KEYS, 'dns-resolver');
  const mode = config.mode ?? 'iterative';
  if (mode !== 'iterative' && mode !== 'recursive') problems.push({ key: ['mode'], message: `mode must be iterative (the resolver walks the hierarchy) or recursive (it asks the root to recurse); found ${JSON.stringify(mode)}` });
  const bool = (key: string, fallback: boolean) => {
    const v = config[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') problems.push({ key: [key], message: `${key} must be true or false; found ${JSON.stringify(v)}` });
    return v === true;
  };
  const num = (key: string, fallback: number, min: number, integer: boolean) => {
    const v = config[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || v < min || (integer && !Number.isInteger(v))) {
      problems.push({ key: [key], message: `${key} must be ${integer ? 'an integer' : 'a number'} >= ${min}; found ${JSON.stringify(v)}` });
      return fallback;
    }
    return v;
  };
  let timeoutMs = 1000;
  if (config.timeout !== undefined) {
    const us = typeof config.timeout === 'string' ? parseDuration(config.timeout) : undefined;
    if (us === undefined || us <= 0) problems.push({ key: ['timeout'], message: `timeout must be a duration like 800ms or 2s; found ${JSON.stringify(config.timeout)}` });
    else timeoutMs = us / 1000;
  }
  const forwarders = config.forwarders ?? [];
  if (!(Array.isArray(forwarders) && forwarders.every((f) => typeof f === 'string'))) problems.push({ key: ['forwarders'], message: `forwarders must be a list of node names; found ${JSON.stringify(forwarders)}` });
  return {
    value: {
      mode: mode === 'recursive' ? 'recursive' : 'iterative',
      negativeCache: bool('negative-cache', true),
      timeoutMs,
      retries: num('retries', 1, 0, true),
      backoff: num('backoff', 2, 1, false),
      cacheSize: num('cache-size', 10000, 0, true),
      forwarders: Array.isArray(forwarders) ? forwarders.filter((f): f is string => typeof f === 'string') : [],
      defences: {
        bailiwick: bool('bailiwick', true), randomPort: bool('random-port', true), randomId: bool('random-id', true), caseRandomization: bool('randomize-case', false),
        ...(config.dnssec === undefined ? {} : { dnssec: bool('dnssec', false) }),
      },
    },
    problems,
  };
}
