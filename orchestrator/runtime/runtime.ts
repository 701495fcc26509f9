// The narrow interface every stage uses to talk to a container engine. Domain code never sees
// dockerode objects; a fake implements this for unit tests.

export type Labels = Record<string, string>;

/** Selects objects by label: a value must match exactly; `true` matches any value. */
export type LabelSelector = Record<string, string | true>;

export interface EngineInfo {
  version: string;
  apiVersion: string;
  kernel: string;
  os: string;
  cpus: number;
  memoryBytes: number;
}

export interface NetworkSpec {
  name: string;
  subnet: string;
  gateway: string;
  /** No route to the host's uplink (Docker `--internal`). */
  internal: boolean;
  labels: Labels;
  /** `overlay`: a Swarm network spanning hosts, created attachable (default `bridge`). */
  driver?: 'bridge' | 'overlay';
  /** The block Docker allocates addresses from by itself (`--ip-range`); static ones may lie outside. */
  ipRange?: string;
}

export interface NetworkInfo {
  id: string;
  name: string;
  subnets: string[];
  labels: Labels;
}

export interface ContainerSpec {
  name: string;
  image: string;
  hostname?: string;
  labels: Labels;
  env?: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  /** Networks joined, with static addresses; the first one is joined at creation. */
  networks?: { network: string; address: string }[];
  /** `host` shares the engine host's network namespace (used only by the firewall helper). */
  networkMode?: 'host' | 'none';
  capAdd: string[];
  sysctls?: Record<string, string>;
  extraHosts?: string[];
  dns?: string[];
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  labels: Labels;
  state: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Called with each complete stdout line as it arrives (for live progress). */
  onStdoutLine?: (line: string) => void;
  /** Raw stdout goes here instead of into the result (long binary streams: pcap). Ended with the exec. */
  stdout?: NodeJS.WritableStream;
  timeoutMs?: number;
}

export interface ContainerRuntime {
  info(): Promise<EngineInfo>;
  listNetworks(selector?: LabelSelector): Promise<NetworkInfo[]>;
  createNetwork(spec: NetworkSpec): Promise<NetworkInfo>;
  /** Idempotent: a network that is already gone is not an error. */
  removeNetwork(idOrName: string): Promise<void>;
  /** All containers with these labels, running or not. */
  listContainers(selector: LabelSelector): Promise<ContainerInfo[]>;
  /** Creates and joins all networks; does not start. Returns the container id. */
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Force-removes; idempotent. */
  removeContainer(id: string): Promise<void>;
  exec(id: string, argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /** The last `tail` lines of the container's output. */
  logs(id: string, tail: number): Promise<string>;
  /** Streams output lines from the start (or from `since`, seconds since the epoch); returns a function that stops following. */
  followLogs(id: string, onLine: (line: string) => void, since?: number): Promise<() => void>;
  /** Fault injection: kill (SIGKILL), pause / unpause (cgroup freezer), restart. */
  control(id: string, action: 'kill' | 'pause' | 'unpause' | 'restart'): Promise<void>;
  /** A tar archive of `path` inside the container. */
  copyFrom(id: string, path: string): Promise<Buffer>;
  /** Memory the container uses now, page cache excluded (what `docker stats` shows). */
  memoryUsage(id: string): Promise<number>;
}

export interface ImageStore {
  /** The image id of a local tag, or undefined when absent. */
  imageId(tag: string): Promise<string | undefined>;
  /** Pulls a reference; false when no registry is reachable. */
  pull(ref: string): Promise<boolean>;
  build(contextDir: string, files: string[], tag: string, buildArgs: Record<string, string>): Promise<string>;
  /** `docker import` of a root filesystem tarball. */
  importRootfs(tar: NodeJS.ReadableStream, tag: string): Promise<string>;
}

/** A Docker API error with its HTTP status, so callers can tell "not found" from failure. */
export class EngineError extends Error {
  constructor(message: string, readonly statusCode?: number) {
    super(message);
  }
}
