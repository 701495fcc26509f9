import { readFile } from 'node:fs/promises';
import os from 'node:os';
import Docker from 'dockerode';
import { HostEngine } from '../../orchestrator/swarm/engines.js';
import { Cluster } from '../../orchestrator/swarm/cluster.js';
import { hostsFromEndpoints, parseHostsFile, type HostsFile } from '../../orchestrator/swarm/hosts.js';
import * as api from '../../orchestrator/api.js';
import { runtime } from './docker.js';

// A one-node Swarm on the local engine for the swarm tests, left as it was found: initialised
// only when inactive, and then left again (with the docker_gwbridge network Swarm creates).
// Other labs on this engine keep working meanwhile: swarm mode changes nothing for bridges.

const docker = new Docker();
export const localEngine = new HostEngine('local', 'unix:///var/run/docker.sock', {}, docker);

export interface SwarmBefore {
  initialised: boolean;
  gwbridgeExisted: boolean;
}

/** This machine's address on its default route: what the Swarm advertises (never hard-coded). */
export async function defaultRouteAddress(): Promise<string> {
  const routes = (await readFile('/proc/net/route', 'utf8')).split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  const iface = routes.find((r) => r[1] === '00000000')?.[0];
  const address = iface ? os.networkInterfaces()[iface]?.find((a) => a.family === 'IPv4' && !a.internal)?.address : undefined;
  if (!address) throw new Error('no IPv4 address on the default route: cannot advertise a Swarm address');
  return address;
}

export async function ensureSwarm(): Promise<SwarmBefore> {
  const state = await localEngine.swarm();
  if (state.state === 'active') return { initialised: false, gwbridgeExisted: true };
  const gwbridgeExisted = (await docker.listNetworks({ filters: JSON.stringify({ name: ['docker_gwbridge'] }) })).length > 0;
  await docker.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: await defaultRouteAddress() });
  // `swarm init` returns before the node reports ready and the ingress network (with its
  // sandbox on docker_gwbridge) exists; the first overlay join would wait on them meanwhile.
  for (let waited = 0; ; waited += 250) {
    const ready = (await localEngine.nodes()).every((n) => n.state === 'ready');
    const ingress = (await docker.listNetworks({ filters: JSON.stringify({ name: ['ingress'] }) })).length > 0;
    const gwbridge = (await docker.listNetworks({ filters: JSON.stringify({ name: ['docker_gwbridge'] }) })).length > 0;
    if (ready && ingress && gwbridge) break;
    if (waited > 60_000) throw new Error(`the one-node Swarm is not ready 60 s after \`docker swarm init\` (node ready: ${ready}, ingress: ${ingress}, docker_gwbridge: ${gwbridge})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { initialised: true, gwbridgeExisted };
}

export async function restoreSwarm(before: SwarmBefore | undefined): Promise<void> {
  if (!before?.initialised) return;
  await docker.swarmLeave({ force: true });
  if (!before.gwbridgeExisted) {
    // Left behind by `swarm leave`; its endpoints go with the swarm's ingress sandbox, a moment later.
    for (let i = 0; i < 40; i++) {
      try {
        await docker.getNetwork('docker_gwbridge').remove();
        return;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}

/** The one-node cluster of the local engine, as `--engine swarm` builds it. */
export function localCluster(): Cluster {
  return Cluster.fromHosts({ hosts: [{ name: 'local', endpoint: localEngine.endpoint, labels: {} }] }, localEngine);
}

export function swarmContext(cluster: Cluster, extra: Partial<api.Context> = {}): api.Context {
  return { ...api.contextDefaults(runtime, 'emunet-test'), runtime: cluster.runtime, cluster, ...extra };
}

/** EMUNET_SWARM_HOSTS: a hosts file, or comma-separated endpoints; undefined when fewer than two engines are given. */
export async function twoEngineHosts(value: string | undefined): Promise<HostsFile | undefined> {
  if (!value) return undefined;
  const hosts = value.includes('://') ? hostsFromEndpoints(value) : parseHostsFile(await readFile(value, 'utf8'), value);
  return hosts.hosts.length >= 2 ? hosts : undefined;
}
