import type { ContainerInfo, ContainerRuntime, ContainerSpec, EngineInfo, ExecOptions, ExecResult, ImageStore, LabelSelector, Labels, NetworkInfo, NetworkSpec } from '../../orchestrator/runtime/runtime.js';

const matches = (labels: Labels, selector: LabelSelector = {}) =>
  Object.entries(selector).every(([k, v]) => (v === true ? k in labels : labels[k] === v));

/**
 * An in-memory engine for unit tests. Agents become ready as soon as they start unless told
 * otherwise; exec answers come from a handler the test supplies.
 */
export class FakeRuntime implements ContainerRuntime, ImageStore {
  networks = new Map<string, NetworkInfo & { spec: NetworkSpec }>();
  containers = new Map<string, ContainerInfo & { spec: ContainerSpec }>();
  calls: string[] = [];
  /** Throw from createContainer for this container name. */
  failCreate?: string;
  /** Lines each container's agent prints on start (default: a ready event). */
  startLines: (spec: ContainerSpec) => string[] = (spec) => [JSON.stringify({ type: 'ready', node: spec.labels['emunet.node'], role: 'x', startupMs: 1 })];
  execHandler: (spec: ContainerSpec, argv: string[]) => ExecResult = () => ({ exitCode: 0, stdout: '', stderr: '' });
  private nextId = 1;

  async info(): Promise<EngineInfo> {
    return { version: 'fake', apiVersion: '1.41', kernel: 'fake', os: 'fake', cpus: 2, memoryBytes: 2 ** 30 };
  }
  async listNetworks(selector?: LabelSelector): Promise<NetworkInfo[]> {
    return [...this.networks.values()].filter((n) => matches(n.labels, selector));
  }
  async createNetwork(spec: NetworkSpec): Promise<NetworkInfo> {
    const id = `${String(this.nextId++).padStart(12, '0')}net`;
    this.calls.push(`createNetwork ${spec.name}`);
    const info = { id, name: spec.name, subnets: [spec.subnet], labels: spec.labels, spec };
    this.networks.set(id, info);
    return info;
  }
  async removeNetwork(id: string): Promise<void> {
    this.calls.push(`removeNetwork ${id}`);
    this.networks.delete(id);
  }
  async listContainers(selector: LabelSelector): Promise<ContainerInfo[]> {
    return [...this.containers.values()].filter((c) => matches(c.labels, selector));
  }
  async createContainer(spec: ContainerSpec): Promise<string> {
    this.calls.push(`createContainer ${spec.name}`);
    if (spec.name === this.failCreate) throw new Error(`create container ${spec.name}: simulated failure`);
    const id = `c${this.nextId++}`;
    this.containers.set(id, { id, name: spec.name, image: spec.image, labels: spec.labels, state: 'created', spec });
    return id;
  }
  async startContainer(id: string): Promise<void> {
    this.calls.push(`startContainer ${id}`);
    this.containers.get(id)!.state = 'running';
  }
  async removeContainer(id: string): Promise<void> {
    this.calls.push(`removeContainer ${id}`);
    this.containers.delete(id);
  }
  async exec(id: string, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no container ${id}`);
    // Helper containers (firewall, doctor) always succeed; tests script the lab nodes.
    const result = c.labels['emunet.helper'] ? { exitCode: 0, stdout: '', stderr: '' } : this.execHandler(c.spec, argv);
    for (const line of result.stdout.split('\n').filter(Boolean)) options.onStdoutLine?.(line);
    return result;
  }
  async logs(id: string): Promise<string> {
    const c = this.containers.get(id);
    return c ? this.startLines(c.spec).join('\n') : '';
  }
  async followLogs(id: string, onLine: (line: string) => void): Promise<() => void> {
    const c = this.containers.get(id);
    if (c) setTimeout(() => this.startLines(c.spec).forEach(onLine), 1);
    return () => undefined;
  }
  async memoryUsage(): Promise<number> {
    return 40 * 1024 * 1024;
  }

  async control(id: string, action: string): Promise<void> {
    this.calls.push(`${action} ${id}`);
    const c = this.containers.get(id);
    if (c) c.state = action === 'kill' ? 'exited' : action === 'pause' ? 'paused' : 'running';
  }
  async copyFrom(): Promise<Buffer> {
    return Buffer.alloc(0);
  }
  async imageId(tag: string): Promise<string | undefined> {
    return `sha256:${tag}`;
  }
  async pull(): Promise<boolean> {
    return false;
  }
  async build(_dir: string, _files: string[], tag: string): Promise<string> {
    return `sha256:${tag}`;
  }
  async importRootfs(_tar: NodeJS.ReadableStream, tag: string): Promise<string> {
    return `sha256:${tag}`;
  }
}
