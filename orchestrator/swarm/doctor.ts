import { randomBytes } from 'node:crypto';
import { LABEL } from '../deploy/labels.js';
import type { Check } from '../doctor.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { allocateSubnets } from '../topology/allocate.js';
import { formatCidr, formatIpv4, nthAddress } from '../topology/ipv4.js';
import type { Cluster } from './cluster.js';
import type { HostEngine, SwarmNode, SwarmState } from './engines.js';

// `emunet doctor --engine swarm`: what a multi-host deploy needs, each with its fix.
// Ports are checked the way the Swarm uses them: TCP connects from each host's own network
// namespace to the others' Swarm addresses (2377 on managers, 7946 everywhere), and the data
// path (VXLAN on 4789/udp, endpoint gossip on 7946/udp) by a ping between containers on a
// throwaway internal overlay network, one container per host.

const PORTS_FIX = 'open 2377/tcp (to managers), 7946/tcp+udp and 4789/udp between every pair of hosts (host firewall, cloud security group)';

export async function swarmChecks(cluster: Cluster, image: string, owner: string): Promise<Check[]> {
  const checks: Check[] = [];
  const states = new Map<string, SwarmState>();
  for (const h of cluster.hosts) {
    try {
      const [info, s] = await Promise.all([h.runtime.info(), h.swarm()]);
      states.set(h.name, s);
      checks.push({ name: `host ${h.name}`, ok: true, detail: `${h.endpoint}: Docker ${info.version}, swarm ${s.state}${s.isManager ? ' (manager)' : ''}` });
    } catch (e) {
      checks.push({ name: `host ${h.name}`, ok: false, detail: `${h.endpoint}: ${(e as Error).message}`, fix: 'check the endpoint; a remote engine must listen on TCP with TLS (dockerd -H tcp://0.0.0.0:2376 --tlsverify …) or be reached over ssh://' });
    }
  }
  if (states.size < cluster.hosts.length) return checks;
  const manager = await cluster.manager();
  const ms = states.get(manager.name)!;
  if (ms.state !== 'active' || !ms.isManager) {
    checks.push({ name: 'swarm manager', ok: false, detail: `${manager.name}: swarm ${ms.state}${ms.isManager ? '' : ', not a manager'}${ms.error ? ` (${ms.error})` : ''}`, fix: `on ${manager.name}: docker swarm init --advertise-addr ADDRESS (the address the other hosts reach it at)` });
    return checks;
  }
  checks.push({ name: 'swarm manager', ok: true, detail: `${manager.name}, advertising ${ms.address}` });
  const nodes = await manager.nodes();
  for (const h of cluster.hosts) {
    const s = states.get(h.name)!;
    const node = nodes.find((n) => n.id === s.nodeId);
    if (s.clusterId !== ms.clusterId || !node) {
      checks.push({ name: `swarm node ${h.name}`, ok: false, detail: `not a member of ${manager.name}'s Swarm (swarm ${s.state})`, fix: `on ${h.name}: docker swarm join --token $(ssh ${manager.name} docker swarm join-token -q worker) ${ms.address}:2377` });
      continue;
    }
    const ready = node.state === 'ready' && node.availability === 'active';
    checks.push({ name: `swarm node ${h.name}`, ok: ready, detail: `${node.hostname} (${node.role}): ${node.state}, ${node.availability}, ${node.address}`, fix: node.availability !== 'active' ? `docker node update --availability active ${node.hostname}` : `${node.hostname} is ${node.state}: ${PORTS_FIX}` });
  }
  if (checks.some((c) => !c.ok)) return checks;
  const members = cluster.hosts.map((h) => ({ h, node: nodes.find((n) => n.id === states.get(h.name)!.nodeId)! }));
  checks.push(...(await portChecks(members, image, owner)));
  checks.push(await dataPathCheck(cluster, image, owner));
  return checks;
}

async function portChecks(members: { h: HostEngine; node: SwarmNode }[], image: string, owner: string): Promise<Check[]> {
  if (members.length < 2) return [{ name: 'swarm ports', ok: true, detail: 'one host: no Swarm traffic between hosts to check' }];
  const checks: Check[] = [];
  for (const from of members) {
    if (!(await from.h.runtime.imageId(image))) {
      checks.push({ name: `ports from ${from.h.name}`, ok: true, detail: `not checked: ${image} is not on ${from.h.name} yet (\`emunet deploy\` copies it)` });
      continue;
    }
    const targets = members.filter((m) => m !== from).flatMap((m) => [...(m.node.role === 'manager' ? [2377] : []), 7946].map((port) => ({ m, port })));
    const failed = await withHelper(from.h.runtime, image, owner, 'host', async (run) => {
      const bad: string[] = [];
      for (const t of targets) if ((await run(['node', '-e', TCP_PROBE, t.m.node.address, String(t.port)])).exitCode !== 0) bad.push(`${t.m.h.name} ${t.m.node.address}:${t.port}/tcp`);
      return bad;
    });
    checks.push({ name: `ports from ${from.h.name}`, ok: failed.length === 0, detail: failed.length === 0 ? `reaches ${targets.map((t) => `${t.m.h.name}:${t.port}`).join(', ')}` : `cannot connect to ${failed.join(', ')}`, fix: PORTS_FIX });
  }
  return checks;
}

/** A container on a throwaway overlay on every host (two on a lone host); each pings the next. */
async function dataPathCheck(cluster: Cluster, image: string, owner: string): Promise<Check> {
  const hosts = cluster.hosts.length === 1 ? [cluster.hosts[0]!, cluster.hosts[0]!] : cluster.hosts;
  const missing = [];
  for (const h of new Set(hosts)) if (!(await h.runtime.imageId(image))) missing.push(h.name);
  if (missing.length > 0) return { name: 'overlay data path', ok: true, detail: `not checked: ${image} is not on ${missing.join(', ')} yet (\`emunet deploy\` copies it)` };
  const rt = cluster.runtime;
  const tag = randomBytes(4).toString('hex');
  const subnet = allocateSubnets([{ name: 'probe', prefix: 28, impairment: {} }], '10.213.0.0/16', (await rt.listNetworks()).flatMap((n) => n.subnets)).get('probe')!;
  const labels = { [LABEL.helper]: 'doctor', [LABEL.owner]: owner };
  const net = await rt.createNetwork({ name: `emunet-doctor-${tag}`, subnet: formatCidr(subnet), gateway: formatIpv4(nthAddress(subnet, 1)), internal: true, labels, driver: 'overlay', ipRange: formatCidr({ address: nthAddress(subnet, 8), prefix: 29 }) });
  const ids: string[] = [];
  try {
    const addresses = hosts.map((_, i) => formatIpv4(nthAddress(subnet, 2 + i)));
    for (const [i, h] of hosts.entries()) {
      const id = await rt.createContainer({ name: `emunet-doctor-${tag}-${i}`, image, labels: { ...labels, [LABEL.host]: h.name }, entrypoint: ['sleep', 'infinity'], networks: [{ network: net.name, address: addresses[i]! }], capAdd: [] });
      ids.push(id);
      await rt.startContainer(id);
    }
    const failed: string[] = [];
    for (const [i, id] of ids.entries()) {
      const j = (i + 1) % ids.length;
      const r = await rt.exec(id, ['ping', '-c', '2', '-W', '2', addresses[j]!]);
      if (r.exitCode !== 0) failed.push(`${hosts[i]!.name} -> ${hosts[j]!.name}`);
    }
    const pairs = ids.map((_, i) => `${hosts[i]!.name} -> ${hosts[(i + 1) % ids.length]!.name}`).join(', ');
    return failed.length === 0
      ? { name: 'overlay data path', ok: true, detail: `ping over a test overlay: ${pairs}${cluster.hosts.length === 1 ? ' (one host: VXLAN between hosts not exercised)' : ''}` }
      : { name: 'overlay data path', ok: false, detail: `no answer over the test overlay: ${failed.join(', ')}`, fix: `${PORTS_FIX}; the kernel needs the vxlan module` };
  } finally {
    for (const id of ids) await rt.removeContainer(id);
    await rt.removeNetwork(net.id);
  }
}

const TCP_PROBE = "const s=require('net').connect(+process.argv[2],process.argv[1]);s.setTimeout(3000);s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(2))";

async function withHelper<T>(runtime: ContainerRuntime, image: string, owner: string, networkMode: 'host', fn: (run: (argv: string[]) => Promise<{ exitCode: number }>) => Promise<T>): Promise<T> {
  const id = await runtime.createContainer({ name: `emunet-doctor-${randomBytes(4).toString('hex')}`, image, labels: { [LABEL.helper]: 'doctor', [LABEL.owner]: owner }, entrypoint: ['sleep', 'infinity'], networkMode, capAdd: [] });
  try {
    await runtime.startContainer(id);
    return await fn((argv) => runtime.exec(id, argv));
  } finally {
    await runtime.removeContainer(id);
  }
}
