// Packet capture on a lab node's interface: tcpdump inside the node (the image carries it),
// its pcap stream copied to a file on the host through the engine's exec stream. Stopped by
// the PID it recorded itself, so nothing else in the container is touched.
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ContainerRuntime } from '../runtime/runtime.js';

export interface CaptureTarget {
  /** Container id. */
  id: string;
  node: string;
  /** The interface's address on the network to capture; undefined: every interface (`-i any`). */
  address?: string;
  /** For messages: the network's name. */
  network?: string;
}

export interface RunningCapture {
  file: string;
  /** Stops tcpdump and waits until the file holds everything it wrote; returns its size in bytes. */
  stop(): Promise<number>;
}

/** The shell line run in the node: find the interface by address, record tcpdump's PID, stream pcap to stdout. */
export function captureScript(pidFile: string, address?: string, filter: string[] = []): string {
  const iface = address === undefined ? 'any' : `"$(ip -o -4 addr show to ${address} | awk '{print $2; exit}')"`;
  const quotedFilter = filter.map((f) => `'${f.replace(/'/g, `'\\''`)}'`).join(' ');
  // -U: write each packet as it comes (a stop loses nothing); -s 0: whole packets.
  return `mkdir -p /run/emunet && echo $$ > ${pidFile} && exec tcpdump -i ${iface} -U -s 0 -w - ${quotedFilter}`.trimEnd();
}

const PCAP_HEADER_BYTES = 24;

/** Starts capturing; resolves once tcpdump has opened the interface (the pcap header is written). */
export async function startCapture(runtime: ContainerRuntime, target: CaptureTarget, file: string, filter: string[] = []): Promise<RunningCapture> {
  const pidFile = `/run/emunet/capture-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}.pid`;
  const out = createWriteStream(file);
  const finished = new Promise<void>((resolve, reject) => { out.on('finish', resolve); out.on('error', reject); });
  const where = `${target.node}${target.network ? `:${target.network}` : ''}`;
  const exec = runtime.exec(target.id, ['sh', '-c', captureScript(pidFile, target.address, filter)], { stdout: out });
  let exited = false;
  void exec.finally(() => (exited = true)).catch(() => undefined);
  for (let waited = 0; ; waited += 50) {
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size >= PCAP_HEADER_BYTES) break;
    if (exited) {
      const r = await exec;
      throw new Error(`capture on ${where} did not start: tcpdump exited with ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
    }
    if (waited > 10_000) throw new Error(`capture on ${where} did not start within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    file,
    async stop() {
      await runtime.exec(target.id, ['sh', '-c', `kill $(cat ${pidFile}) 2>/dev/null; rm -f ${pidFile}`]).catch(() => undefined);
      await exec.catch(() => undefined);
      await finished;
      return (await stat(file)).size;
    },
  };
}
