// Packet capture on a lab node's interface: tcpdump inside the node (the image carries it)
// writes a pcap file in the container; on stop it is killed by the PID it recorded itself (so
// nothing else in the container is touched) and the file is copied out. A file inside the
// node, rather than a stream through the engine, keeps every packet up to the stop, and
// survives the node being killed or paused by a fault step.
import { writeFile } from 'node:fs/promises';
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
  /** Stops tcpdump and copies its file out; returns its size in bytes. */
  stop(): Promise<number>;
}

/** The shell line run in the node: find the interface by address, record tcpdump's PID, write pcap to `pcap`. */
export function captureScript(pidFile: string, pcap: string, address?: string, filter: string[] = []): string {
  const iface = address === undefined ? 'any' : `"$(ip -o -4 addr show to ${address} | awk '{print $2; exit}')"`;
  const quotedFilter = filter.map((f) => `'${f.replace(/'/g, `'\\''`)}'`).join(' ');
  // --immediate-mode: take each packet from the kernel as it comes (not per filled buffer, which
  // a stop would lose); -U: write it out at once; -s 0: whole packets.
  return `mkdir -p /run/emunet && echo $$ > ${pidFile} && exec tcpdump -i ${iface} --immediate-mode -U -s 0 -w ${pcap} ${quotedFilter}`.trimEnd();
}

const PCAP_HEADER_BYTES = 24;

/** Starts capturing; resolves once tcpdump has opened the interface (its file holds the pcap header). */
export async function startCapture(runtime: ContainerRuntime, target: CaptureTarget, file: string, filter: string[] = []): Promise<RunningCapture> {
  const name = `capture-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const pidFile = `/run/emunet/${name}.pid`;
  const pcap = `/run/emunet/${name}.pcap`;
  const where = `${target.node}${target.network ? `:${target.network}` : ''}`;
  const exec = runtime.exec(target.id, ['sh', '-c', captureScript(pidFile, pcap, target.address, filter)]);
  let exited = false;
  void exec.finally(() => (exited = true)).catch(() => undefined);
  for (let waited = 0; ; waited += 100) {
    const size = await runtime.exec(target.id, ['sh', '-c', `stat -c %s ${pcap} 2>/dev/null || echo 0`]).then((r) => Number(r.stdout.trim()) || 0);
    if (size >= PCAP_HEADER_BYTES) break;
    if (exited) {
      const r = await exec;
      throw new Error(`capture on ${where} did not start: tcpdump exited with ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
    }
    if (waited > 10_000) throw new Error(`capture on ${where} did not start within 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    file,
    async stop() {
      // A killed node has no tcpdump left to stop, but its file is still there to copy.
      await runtime.exec(target.id, ['sh', '-c', `kill $(cat ${pidFile}) 2>/dev/null; rm -f ${pidFile}`]).catch(() => undefined);
      await exec.catch(() => undefined);
      const data = firstFileInTar(await runtime.copyFrom(target.id, pcap));
      await writeFile(file, data);
      await runtime.exec(target.id, ['rm', '-f', pcap]).catch(() => undefined);
      return data.length;
    },
  };
}

/** The contents of the first regular file of a tar archive (what the engine's archive copy returns). */
export function firstFileInTar(tar: Buffer): Buffer {
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const size = Number.parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === '0' || type === '\0') return tar.subarray(at + 512, at + 512 + size);
    // PAX and GNU extension records, directories: skip to the next entry.
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('the archive copied from the container holds no file');
}
