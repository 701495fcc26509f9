import Docker from 'dockerode';
import { PassThrough, type Readable } from 'node:stream';
import { EngineError, type ContainerInfo, type ContainerRuntime, type ContainerSpec, type EngineInfo, type ExecOptions, type ExecResult, type ImageStore, type LabelSelector, type NetworkInfo, type NetworkSpec } from './runtime.js';
import { lineSplitter } from './lines.js';

const labelFilter = (selector: LabelSelector) => JSON.stringify({ label: Object.entries(selector).map(([k, v]) => (v === true ? k : `${k}=${v}`)) });

/** Wraps dockerode errors so callers see the engine's message, not a stack of HTTP internals. */
async function engine<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const err = e as { statusCode?: number; json?: { message?: string }; message?: string };
    const detail = err.json?.message ?? err.message ?? String(e);
    throw new EngineError(`${what}: ${detail}`, err.statusCode);
  }
}

const ignoreNotFound = (e: unknown) => {
  if (e instanceof EngineError && e.statusCode === 404) return;
  throw e;
};

export class DockerRuntime implements ContainerRuntime, ImageStore {
  constructor(private readonly docker: Docker = new Docker()) {}

  async info(): Promise<EngineInfo> {
    const [version, info] = await Promise.all([
      engine('docker version', () => this.docker.version()),
      engine('docker info', () => this.docker.info() as Promise<Record<string, unknown>>),
    ]);
    return {
      version: version.Version,
      apiVersion: version.ApiVersion,
      kernel: version.KernelVersion ?? String(info.KernelVersion),
      os: String(info.OperatingSystem),
      cpus: Number(info.NCPU),
      memoryBytes: Number(info.MemTotal),
    };
  }

  async listNetworks(selector?: LabelSelector): Promise<NetworkInfo[]> {
    const opts = selector ? { filters: labelFilter(selector) } : {};
    const networks = await engine('list networks', () => this.docker.listNetworks(opts));
    return networks.map((n) => ({
      id: n.Id,
      name: n.Name,
      subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s),
      labels: n.Labels ?? {},
    }));
  }

  async createNetwork(spec: NetworkSpec): Promise<NetworkInfo> {
    const net = await engine(`create network ${spec.name}`, () =>
      this.docker.createNetwork({
        Name: spec.name,
        Driver: spec.driver ?? 'bridge',
        Internal: spec.internal,
        // Plain containers (`docker run --network`) may join an overlay only when it is attachable.
        Attachable: spec.driver === 'overlay',
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: spec.subnet, Gateway: spec.gateway, ...(spec.ipRange ? { IPRange: spec.ipRange } : {}) }] },
        Labels: spec.labels,
      }),
    );
    return { id: net.id, name: spec.name, subnets: [spec.subnet], labels: spec.labels };
  }

  async removeNetwork(idOrName: string): Promise<void> {
    // Right after its containers are removed, a network may still count their endpoints for a
    // moment (dockerd retries endpoint deletes under load): try again before giving up.
    for (let attempt = 1; ; attempt++) {
      try {
        await engine(`remove network ${idOrName}`, () => this.docker.getNetwork(idOrName).remove()).catch(ignoreNotFound);
        return;
      } catch (e) {
        if (!(e instanceof EngineError && /active endpoints/.test(e.message))) throw e;
        if (attempt === 5) {
          e.message += '\n  fix: if no container is attached (`docker network inspect` lists none), dockerd\'s endpoint count for the network is wrong (a Docker 20.10 race under many concurrent container operations; moby/moby#42119): restart dockerd (it logs "Fixing inconsistent endpoint_cnt"), then run `emunet destroy` again';
          throw e;
        }
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }

  async listContainers(selector: LabelSelector): Promise<ContainerInfo[]> {
    const list = await engine('list containers', () => this.docker.listContainers({ all: true, filters: labelFilter(selector) }));
    return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), image: c.Image, labels: c.Labels, state: c.State }));
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const [first, ...others] = spec.networks ?? [];
    const container = await engine(`create container ${spec.name}`, () =>
      this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Hostname: spec.hostname,
        Labels: spec.labels,
        Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
        Entrypoint: spec.entrypoint,
        Cmd: spec.cmd,
        HostConfig: {
          NetworkMode: spec.networkMode ?? first?.network,
          CapDrop: [],
          CapAdd: spec.capAdd,
          SecurityOpt: ['no-new-privileges'],
          Privileged: false,
          Sysctls: spec.sysctls,
          ExtraHosts: spec.extraHosts,
          Dns: spec.dns,
        },
        // API < 1.44 accepts only one endpoint at creation; the rest are connected below.
        NetworkingConfig: first
          ? { EndpointsConfig: { [first.network]: { IPAMConfig: { IPv4Address: first.address } } } }
          : undefined,
      }),
    );
    for (const n of others) {
      await engine(`connect ${spec.name} to ${n.network}`, () =>
        this.docker.getNetwork(n.network).connect({ Container: container.id, EndpointConfig: { IPAMConfig: { IPv4Address: n.address } } }),
      );
    }
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    await engine(`start container ${id.slice(0, 12)}`, () => this.docker.getContainer(id).start());
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.docker.getContainer(id);
    // Kill, wait until the engine has handled the exit (network released, mounts cleaned), then
    // remove: removal never overlaps the engine's own exit handling, whatever the load.
    await engine(`kill container ${id.slice(0, 12)}`, () => c.kill()).catch((e: unknown) => {
      if (e instanceof EngineError && (e.statusCode === 404 || e.statusCode === 409)) return; // gone, or not running
      throw e;
    });
    await engine(`wait for container ${id.slice(0, 12)}`, () => c.wait({ condition: 'not-running' })).catch(ignoreNotFound);
    await engine(`remove container ${id.slice(0, 12)}`, () => c.remove({ force: true, v: true })).catch(ignoreNotFound);
  }

  async exec(id: string, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const exec = await engine(`exec in ${id.slice(0, 12)}`, () =>
      this.docker.getContainer(id).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true }),
    );
    const stream = (await engine(`start exec ${argv[0]}`, () => exec.start({ hijack: true, stdin: false }))) as Readable;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (options.stdout) stdout.pipe(options.stdout);
    else stdout.on('data', (d: Buffer) => out.push(d));
    stderr.on('data', (d: Buffer) => err.push(d));
    if (options.onStdoutLine) stdout.pipe(lineSplitter(options.onStdoutLine));
    this.docker.modem.demuxStream(stream, stdout, stderr);
    await new Promise<void>((resolve, reject) => {
      const timer = options.timeoutMs
        ? setTimeout(() => { stream.destroy(); reject(new EngineError(`exec "${argv.join(' ')}" did not finish within ${options.timeoutMs} ms`)); }, options.timeoutMs)
        : undefined;
      stream.on('end', () => { clearTimeout(timer); resolve(); });
      stream.on('close', () => { clearTimeout(timer); resolve(); });
      stream.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    stdout.end();
    stderr.end();
    const inspected = await engine('inspect exec', () => exec.inspect());
    return { exitCode: inspected.ExitCode ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
  }

  async logs(id: string, tail: number): Promise<string> {
    const buf = (await engine(`logs of ${id.slice(0, 12)}`, () =>
      this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false }),
    )) as unknown as Buffer;
    return demuxBuffer(buf);
  }

  async followLogs(id: string, onLine: (line: string) => void, since?: number): Promise<() => void> {
    const stream = (await engine(`follow logs of ${id.slice(0, 12)}`, () =>
      this.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: true, ...(since === undefined ? {} : { since }) }),
    )) as unknown as Readable;
    const sink = lineSplitter(onLine);
    this.docker.modem.demuxStream(stream, sink, sink);
    stream.on('error', () => undefined); // destroyed on stop; nothing to report
    return () => stream.destroy();
  }

  // one-shot: memory needs no CPU delta, so the engine need not wait a second for a second sample.
  async memoryUsage(id: string): Promise<number> {
    const stats = (await engine(`stats of ${id.slice(0, 12)}`, () => this.docker.getContainer(id).stats({ stream: false, 'one-shot': true }))) as unknown as { memory_stats: { usage?: number; stats?: Record<string, number> } };
    const m = stats.memory_stats;
    // cgroup v1 counts page cache in `usage`; v2 reports it as inactive_file. docker stats subtracts it too.
    const cache = m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? 0;
    return Math.max(0, (m.usage ?? 0) - cache);
  }

  async control(id: string, action: 'kill' | 'pause' | 'unpause' | 'restart'): Promise<void> {
    const c = this.docker.getContainer(id);
    const calls = { kill: () => c.kill(), pause: () => c.pause(), unpause: () => c.unpause(), restart: () => c.restart({ t: 0 }) };
    await engine(`${action} ${id.slice(0, 12)}`, calls[action]);
  }

  async copyFrom(id: string, path: string): Promise<Buffer> {
    const stream = (await engine(`copy ${path} from ${id.slice(0, 12)}`, () => this.docker.getContainer(id).getArchive({ path }))) as unknown as Readable;
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  // --- images ---

  async imageId(tag: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(tag).inspect()).Id;
    } catch {
      return undefined;
    }
  }

  async pull(ref: string): Promise<boolean> {
    try {
      const stream = await this.docker.pull(ref);
      await new Promise((resolve, reject) => this.docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve(undefined))));
      return true;
    } catch {
      return false;
    }
  }

  async build(contextDir: string, files: string[], tag: string, buildArgs: Record<string, string>): Promise<string> {
    const stream = await engine(`build ${tag}`, () => this.docker.buildImage({ context: contextDir, src: files }, { t: tag, buildargs: buildArgs, rm: true, forcerm: true }));
    await followBuild(stream, tag);
    const id = await this.imageId(tag);
    if (!id) throw new EngineError(`build ${tag}: the engine reported success but the image is missing`);
    return id;
  }

  async importRootfs(tar: NodeJS.ReadableStream, tag: string): Promise<string> {
    const [repo, version] = tag.split(':');
    const stream = await engine(`import ${tag}`, () => this.docker.importImage(tar as never, { repo, tag: version }));
    await followBuild(stream, tag);
    const id = await this.imageId(tag);
    if (!id) throw new EngineError(`import ${tag}: the image is missing after import`);
    return id;
  }
}

/** Builds report failures inside the JSON progress stream, not as HTTP errors. */
function followBuild(stream: NodeJS.ReadableStream, tag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tail: string[] = [];
    new Docker().modem.followProgress(
      stream,
      (e: Error | null) => (e ? reject(new EngineError(`build ${tag}: ${e.message}\n${tail.join('')}`)) : resolve()),
      (event: { stream?: string; error?: string }) => {
        if (event.stream) tail.push(event.stream);
        if (tail.length > 20) tail.shift();
        if (event.error) reject(new EngineError(`build ${tag}: ${event.error}\n${tail.join('')}`));
      },
    );
  });
}

/** Non-TTY logs come framed: [stream, 0, 0, 0, size(4 bytes BE)] + payload. */
function demuxBuffer(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + size).toString();
    i += 8 + size;
  }
  return out;
}
