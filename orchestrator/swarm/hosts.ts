// The hosts file: which Docker engines a lab may span, and how to reach each one
// (DOCKER_HOST-style endpoints, TLS where configured). Parsing is pure; the CLI reads the file.
import path from 'node:path';
import { parse } from 'yaml';

export interface HostTls {
  ca: string;
  cert: string;
  key: string;
}

export interface HostDef {
  name: string;
  /** `unix:///var/run/docker.sock`, `tcp://ADDR:2376`, `ssh://user@ADDR`. */
  endpoint: string;
  /** Absolute paths of the PEM files; absent: plain (unix socket, ssh, or tcp without TLS). */
  tls?: HostTls;
  labels: Record<string, string>;
}

export interface HostsFile {
  hosts: HostDef[];
  /** The host whose engine manages the Swarm; undefined: the first host that is a manager. */
  manager?: string;
}

export class HostsFileError extends Error {}

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const ENDPOINT = /^(unix:\/\/\/.+|tcp:\/\/[^/\s]+:\d+|ssh:\/\/[^/\s]+)$/;

/**
 * ```yaml
 * manager: h1                      # optional
 * hosts:
 *   h1: { endpoint: unix:///var/run/docker.sock, labels: { zone: a } }
 *   h2:
 *     endpoint: tcp://192.0.2.3:2376
 *     tls: { cert-path: certs/h2 }  # ca.pem, cert.pem, key.pem inside (like DOCKER_CERT_PATH)
 *                                   # or { ca: …, cert: …, key: … }; relative to this file
 * ```
 */
export function parseHostsFile(text: string, file: string): HostsFile {
  const fail = (where: string, what: string, fix: string): never => {
    throw new HostsFileError(`${file}: ${where}: ${what}\n  fix: ${fix}`);
  };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    return fail('(document)', `not valid YAML (${(e as Error).message.split('\n')[0]})`, 'see docs/multi-host.md for the format');
  }
  if (!isObject(doc) || !isObject(doc.hosts) || Object.keys(doc.hosts).length === 0) {
    return fail('hosts', 'expected a map of host name -> { endpoint, tls?, labels? }', 'see docs/multi-host.md for the format');
  }
  for (const key of Object.keys(doc)) if (key !== 'hosts' && key !== 'manager') fail(key, 'unknown key; expected `hosts` and optionally `manager`', `remove "${key}"`);
  const dir = path.dirname(path.resolve(file));
  const hosts = Object.entries(doc.hosts).map(([name, h]): HostDef => {
    const at = `hosts.${name}`;
    if (!NAME.test(name)) fail(at, `host name "${name}" must be lowercase letters, digits, '.', '_' or '-'`, 'rename it');
    if (!isObject(h)) return fail(at, 'expected { endpoint, tls?, labels? }', 'give at least `endpoint:`');
    for (const key of Object.keys(h)) if (!['endpoint', 'tls', 'labels'].includes(key)) fail(`${at}.${key}`, 'unknown key; expected endpoint, tls, labels', `remove "${key}"`);
    if (typeof h.endpoint !== 'string' || !ENDPOINT.test(h.endpoint)) {
      fail(`${at}.endpoint`, `expected unix:///PATH, tcp://ADDRESS:PORT or ssh://USER@ADDRESS; found ${JSON.stringify(h.endpoint)}`, 'write it as you would DOCKER_HOST, e.g. tcp://192.0.2.3:2376');
    }
    const labels = h.labels ?? {};
    if (!isObject(labels) || !Object.values(labels).every((v) => typeof v === 'string' || typeof v === 'number')) fail(`${at}.labels`, 'expected a map of label -> value', 'e.g. labels: { zone: a }');
    return {
      name,
      endpoint: h.endpoint as string,
      ...(h.tls === undefined ? {} : { tls: tlsFiles(h.tls, dir, `${at}.tls`, fail) }),
      labels: Object.fromEntries(Object.entries(labels as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
    };
  });
  const manager = doc.manager;
  if (manager !== undefined && (typeof manager !== 'string' || !hosts.some((h) => h.name === manager))) {
    fail('manager', `expected one of the hosts [${hosts.map((h) => h.name).join(', ')}]; found ${JSON.stringify(manager)}`, 'name the host where `docker swarm init` ran');
  }
  return { hosts, ...(manager === undefined ? {} : { manager: manager as string }) };
}

/** `EMUNET_SWARM_HOSTS=unix:///var/run/docker.sock,tcp://192.0.2.3:2375`: hosts h1, h2, … without TLS or labels. */
export function hostsFromEndpoints(list: string): HostsFile {
  const endpoints = list.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = endpoints.find((e) => !ENDPOINT.test(e));
  if (bad !== undefined) throw new HostsFileError(`endpoint "${bad}": expected unix:///PATH, tcp://ADDRESS:PORT or ssh://USER@ADDRESS`);
  return { hosts: endpoints.map((endpoint, i) => ({ name: `h${i + 1}`, endpoint, labels: {} })) };
}

function tlsFiles(tls: unknown, dir: string, at: string, fail: (where: string, what: string, fix: string) => never): HostTls {
  if (isObject(tls) && typeof tls['cert-path'] === 'string' && Object.keys(tls).length === 1) {
    const certs = path.resolve(dir, tls['cert-path']);
    return { ca: path.join(certs, 'ca.pem'), cert: path.join(certs, 'cert.pem'), key: path.join(certs, 'key.pem') };
  }
  if (isObject(tls) && ['ca', 'cert', 'key'].every((k) => typeof tls[k] === 'string') && Object.keys(tls).length === 3) {
    return { ca: path.resolve(dir, tls.ca as string), cert: path.resolve(dir, tls.cert as string), key: path.resolve(dir, tls.key as string) };
  }
  return fail(at, 'expected { cert-path: DIR } or { ca: FILE, cert: FILE, key: FILE }', 'point it at the client certificates of that engine (docs/multi-host.md, "TLS")');
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
