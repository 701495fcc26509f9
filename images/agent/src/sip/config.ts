// What a `sip-proxy` or `sip-ua` node finds in `node.config` (the topology's nodes.X.config,
// passed through untouched): checked here, with defaults, so a typo fails at start-up naming the
// key and what was expected, not later in the middle of a call.
import type { TimerValues } from './clock.js';
import { DEFAULT_TIMERS } from './clock.js';
import type { Target } from './endpoint.js';
import type { ProxySettings } from './proxy.js';
import type { UaSettings } from './ua-context.js';

export class SipConfigError extends Error {}

type Raw = Record<string, unknown>;

function checkKeys(raw: Raw, known: string[], role: string): void {
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new SipConfigError(`${role} config: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}; known keys are [${known.join(', ')}]`);
}

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const USER = /^[a-z0-9][a-z0-9._+-]*$/;

function str(raw: Raw, key: string, role: string, pattern: RegExp, what: string): string {
  const v = raw[key];
  if (typeof v !== 'string' || !pattern.test(v.toLowerCase())) throw new SipConfigError(`${role} config: "${key}" must be ${what}, found ${JSON.stringify(v)}`);
  return v.toLowerCase();
}

function int(raw: Raw, key: string, role: string, fallback: number, min: number, max: number): number {
  const v = raw[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new SipConfigError(`${role} config: "${key}" must be a whole number from ${min} to ${max}, found ${JSON.stringify(raw[key])}`);
  return v;
}

function bool(raw: Raw, key: string, role: string, fallback: boolean): boolean {
  const v = raw[key] ?? fallback;
  if (typeof v !== 'boolean') throw new SipConfigError(`${role} config: "${key}" must be true or false, found ${JSON.stringify(v)}`);
  return v;
}

/** `proxyb`, `proxyb:5070` or `10.213.0.4:5060`. */
export function parseTarget(text: unknown, where: string): Target {
  const m = typeof text === 'string' ? /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text) : null;
  if (!m) throw new SipConfigError(`${where} must be a node name or address, optionally with ":port", found ${JSON.stringify(text)}`);
  return m[2] === undefined ? { host: m[1]!.toLowerCase() } : { host: m[1]!.toLowerCase(), port: Number(m[2]) };
}

export interface Common { port: number; timers: TimerValues }

function common(raw: Raw, role: string): Common {
  const t1 = int(raw, 't1', role, DEFAULT_TIMERS.t1, 10, 10_000);
  return { port: int(raw, 'port', role, 5060, 1, 65535), timers: { ...DEFAULT_TIMERS, t1, t2: Math.max(DEFAULT_TIMERS.t2, t1) } };
}

/**
 * sip-proxy: `domain` (required), `users` (known users: an unregistered known user gets 480,
 * anyone else 404; empty or absent: anyone may register and an unregistered user is 404),
 * `routes` ({domain: proxy node[:port]} for other domains), `recordRoute` (true), `expires`
 * (default 3600 s), `minExpires` (60), `maxExpires` (7200), `port` (5060), `t1` (500 ms).
 */
export function parseProxyConfig(raw: Raw, identity: { node: string; address: string }): ProxySettings & Common {
  const role = 'sip-proxy';
  checkKeys(raw, ['domain', 'users', 'routes', 'recordRoute', 'expires', 'minExpires', 'maxExpires', 'port', 't1'], role);
  const domain = str(raw, 'domain', role, NAME, 'a domain name such as "atlanta.lab"');
  const users = raw.users ?? [];
  if (!Array.isArray(users) || !users.every((u) => typeof u === 'string' && USER.test(u.toLowerCase()))) throw new SipConfigError(`${role} config: "users" must be a list of user names such as [alice, carol], found ${JSON.stringify(raw.users)}`);
  const routesRaw = raw.routes ?? {};
  if (typeof routesRaw !== 'object' || routesRaw === null || Array.isArray(routesRaw)) throw new SipConfigError(`${role} config: "routes" must map domains to proxies, e.g. {biloxi.lab: proxyb}, found ${JSON.stringify(raw.routes)}`);
  const routes: Record<string, Target> = {};
  for (const [d, t] of Object.entries(routesRaw as Raw)) routes[d.toLowerCase()] = parseTarget(t, `${role} config: routes.${d}`);
  const minExpires = int(raw, 'minExpires', role, 60, 0, 86_400);
  const maxExpires = int(raw, 'maxExpires', role, 7200, Math.max(1, minExpires), 86_400);
  return {
    domain,
    aliases: [identity.node.toLowerCase(), identity.address],
    users: (users as string[]).map((u) => u.toLowerCase()),
    routes,
    recordRoute: bool(raw, 'recordRoute', role, true),
    defaultExpires: int(raw, 'expires', role, 3600, 1, maxExpires),
    minExpires,
    maxExpires,
    ...common(raw, role),
  };
}

/**
 * sip-ua: `user`, `domain` and `proxy` (the domain's sip-proxy node) required; `expires`
 * (3600 s), `register` (true), `answerDelay` (ms of ringing before the answer, 0),
 * `answerStatus` (200; e.g. 486 to be busy), `port` (5060), `t1` (500 ms).
 */
export function parseUaConfig(raw: Raw): UaSettings & Common {
  const role = 'sip-ua';
  checkKeys(raw, ['user', 'domain', 'proxy', 'expires', 'register', 'answerDelay', 'answerStatus', 'port', 't1'], role);
  const answerStatus = int(raw, 'answerStatus', role, 200, 200, 699);
  if (answerStatus > 200 && answerStatus < 300) throw new SipConfigError(`${role} config: "answerStatus" must be 200 or a refusal from 300 to 699, found ${answerStatus}`);
  return {
    user: str(raw, 'user', role, USER, 'a user name such as "alice"'),
    domain: str(raw, 'domain', role, NAME, 'a domain name such as "atlanta.lab"'),
    proxy: parseTarget(raw.proxy, `${role} config: "proxy"`),
    expires: int(raw, 'expires', role, 3600, 0, 86_400),
    register: bool(raw, 'register', role, true),
    answerDelayMs: int(raw, 'answerDelay', role, 0, 0, 600_000),
    answerStatus,
    ...common(raw, role),
  };
}
