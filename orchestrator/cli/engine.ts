import { readFile } from 'node:fs/promises';
import { Cluster } from '../swarm/cluster.js';
import type { HostEngine } from '../swarm/engines.js';
import { HostsFileError, parseHostsFile, type HostsFile } from '../swarm/hosts.js';

// Which engine(s) a command talks to: the local one (default), or a Swarm — chosen by
// `--engine swarm`, `--hosts FILE` (implies swarm), EMUNET_ENGINE / EMUNET_HOSTS, or a
// topology's `engine: swarm`.

export type EngineKind = 'local' | 'swarm';

export interface EngineFlags {
  engine?: string;
  hosts?: string;
}

export function engineKind(flags: EngineFlags, env: Record<string, string | undefined>, topologyEngine?: EngineKind): EngineKind {
  const chosen = flags.engine ?? env.EMUNET_ENGINE;
  if (chosen !== undefined && chosen !== 'local' && chosen !== 'swarm') throw new HostsFileError(`--engine must be local or swarm; found "${chosen}"`);
  if (chosen === 'local' && (flags.hosts ?? env.EMUNET_HOSTS)) throw new HostsFileError('--engine local contradicts --hosts (a hosts file is for Swarm deploys)');
  return (chosen as EngineKind | undefined) ?? (flags.hosts ?? env.EMUNET_HOSTS ? 'swarm' : topologyEngine ?? 'local');
}

/** The hosts file's engines, or the local engine alone (a one-node Swarm), called `local`. */
export async function openCluster(flags: EngineFlags, env: Record<string, string | undefined>, local: HostEngine): Promise<Cluster> {
  const file = flags.hosts ?? env.EMUNET_HOSTS;
  const hosts: HostsFile = file === undefined
    ? { hosts: [{ name: 'local', endpoint: local.endpoint, labels: {} }] }
    : parseHostsFile(await readFile(file, 'utf8').catch((e: Error) => { throw new HostsFileError(`--hosts ${file}: ${e.message}`); }), file);
  return Cluster.fromHosts(hosts, local);
}
