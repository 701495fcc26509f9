// The dockerode side of multi-host labs: connecting to each host's engine, reading the Swarm's
// state and nodes, and copying the agent image to hosts that lack it (there is no registry).
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { DockerRuntime } from '../runtime/docker.js';
import { EngineError } from '../runtime/runtime.js';
import type { HostDef } from './hosts.js';

export interface SwarmState {
  /** `inactive`, `pending`, `active`, `error`, `locked`. */
  state: string;
  nodeId: string;
  clusterId: string;
  isManager: boolean;
  /** Address this engine advertises to the Swarm ('' when inactive). */
  address: string;
  error: string;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  role: string;
  /** `ready`, `down`, `unknown`, `disconnected`. */
  state: string;
  /** `active`, `pause`, `drain`. */
  availability: string;
  address: string;
  labels: Record<string, string>;
}

/** DOCKER_HOST-style endpoint -> dockerode options; TLS files are read here. */
export function dockerOptions(host: HostDef, read: (file: string) => Buffer = readFileSync): Docker.DockerOptions {
  const url = new URL(host.endpoint);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'ssh:') return { protocol: 'ssh', host: url.hostname, port: url.port ? Number(url.port) : 22, username: url.username || undefined } as Docker.DockerOptions;
  const tls = host.tls ? { protocol: 'https' as const, ca: read(host.tls.ca), cert: read(host.tls.cert), key: read(host.tls.key) } : { protocol: 'http' as const };
  return { host: url.hostname, port: Number(url.port), ...tls };
}

/** One host's engine: the narrow runtime every stage uses, plus the Swarm calls only swarm code needs. */
export class HostEngine {
  readonly runtime: DockerRuntime;

  constructor(readonly name: string, readonly endpoint: string, readonly labels: Record<string, string>, private readonly docker: Docker) {
    this.runtime = new DockerRuntime(docker);
  }

  /** The same engine under a hosts file's name (the local engine listed as a host). */
  as(name: string, labels: Record<string, string>): HostEngine {
    return new HostEngine(name, this.endpoint, labels, this.docker);
  }

  static connect(host: HostDef): HostEngine {
    return new HostEngine(host.name, host.endpoint, host.labels, new Docker(dockerOptions(host)));
  }

  async swarm(): Promise<SwarmState> {
    const info = (await wrap(`docker info on ${this.name}`, () => this.docker.info())) as { Swarm?: Record<string, unknown> };
    const s = info.Swarm ?? {};
    return {
      state: String(s.LocalNodeState ?? 'inactive'),
      nodeId: String(s.NodeID ?? ''),
      clusterId: String((s.Cluster as { ID?: string } | undefined)?.ID ?? ''),
      isManager: s.ControlAvailable === true,
      address: String(s.NodeAddr ?? ''),
      error: String(s.Error ?? ''),
    };
  }

  /** The Swarm's nodes, as its manager sees them. */
  async nodes(): Promise<SwarmNode[]> {
    const list = (await wrap(`list Swarm nodes on ${this.name}`, () => this.docker.listNodes())) as {
      ID: string; Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> }; Description?: { Hostname?: string }; Status?: { State?: string; Addr?: string };
    }[];
    return list.map((n) => ({
      id: n.ID,
      hostname: n.Description?.Hostname ?? '',
      role: n.Spec?.Role ?? '',
      state: n.Status?.State ?? 'unknown',
      availability: n.Spec?.Availability ?? '',
      address: n.Status?.Addr ?? '',
      labels: n.Spec?.Labels ?? {},
    }));
  }

  /** Streams `tag` from `source` (`docker save | docker load`) unless this engine has it already. */
  async ensureImage(tag: string, source: HostEngine): Promise<boolean> {
    if (await this.runtime.imageId(tag)) return false;
    const tar = await wrap(`save ${tag} on ${source.name}`, () => source.docker.getImage(tag).get());
    const progress = await wrap(`load ${tag} on ${this.name}`, () => this.docker.loadImage(tar));
    await new Promise<void>((resolve, reject) => this.docker.modem.followProgress(progress, (e: Error | null) => (e ? reject(e) : resolve())));
    if (!(await this.runtime.imageId(tag))) throw new EngineError(`load ${tag} on ${this.name}: the image is missing after loading`);
    return true;
  }
}

async function wrap<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const err = e as { statusCode?: number; json?: { message?: string }; message?: string };
    throw new EngineError(`${what}: ${err.json?.message ?? err.message ?? String(e)}`, err.statusCode);
  }
}
