// The NAT gateway's executor: finds its inside and outside interfaces, installs the rules
// rules.ts builds, and for a full cone keeps the DNAT rules cone.ts derives from conntrack's
// events. Everything lives in the container's own namespace, so the host is never touched and
// the rules go with the container.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { log } from '../common/records.js';
import { run, runStatus } from '../common/run.js';
import { devicesByAddress } from '../impairment/devices.js';
import type { AgentNodeConfig } from '../common/node-config.js';
import { ConeMappings, parseConntrackEvent } from './cone.js';
import type { GatewaySettings } from './config.js';
import { CONNTRACK_FLUSH, coneRule, natSetup, subnetOf, type NatInterfaces } from './rules.js';

export interface Gateway {
  interfaces: NatInterfaces;
  status(): Promise<{ type: string; interfaces: NatInterfaces; mappings: unknown[]; conntrack: string[] }>;
  stop(): void;
}

export async function startGateway(node: AgentNodeConfig, settings: GatewaySettings): Promise<Gateway> {
  const inside = node.interfaces.find((i) => i.network === settings.inside)!;
  const outside = node.interfaces.find((i) => i.network === settings.outside)!;
  const devices = await devicesByAddress();
  const device = (address: string) => devices.get(address) ?? raise(`no interface carries ${address}`);
  const ifs: NatInterfaces = { inside: device(inside.address), outside: device(outside.address), publicAddress: outside.address, insideSubnet: subnetOf(inside.address, inside.prefix) };
  for (const command of natSetup(settings.type, ifs)) {
    if (command.tolerate) await runStatus(command.argv);
    else await run(command.argv);
  }
  const cone = settings.type === 'cone' ? await watchMappings(ifs) : undefined;
  await run(CONNTRACK_FLUSH);
  log(`nat: ${settings.type} NAT from ${settings.inside} (${ifs.inside}, ${ifs.insideSubnet}) to ${settings.outside} (${ifs.outside}) as ${ifs.publicAddress}`);
  return {
    interfaces: ifs,
    async status() {
      const conntrack = (await run(['conntrack', '-L']).catch(() => '')).split('\n').filter((l) => l.trim() !== '');
      return { type: settings.type, interfaces: ifs, mappings: cone?.mappings.list() ?? [], conntrack };
    },
    stop: () => cone?.stop(),
  };
}

// TEST-NET-1 (RFC 5737): never routed; used only as a conntrack table entry.
const MARKER = '192.0.2.1';

/** Follows `conntrack -E` and applies each mapping's DNAT rule in order; resolves once it listens. */
async function watchMappings(ifs: NatInterfaces): Promise<{ mappings: ConeMappings; stop(): void }> {
  const mappings = new ConeMappings(ifs);
  const child = spawn('conntrack', ['-E', '-p', 'udp', '-e', 'NEW,DESTROY'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let applying = Promise.resolve();
  let subscribed = false;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.includes(`src=${MARKER}`)) subscribed = true;
    const event = parseConntrackEvent(line);
    if (!event) return;
    for (const change of mappings.apply(event)) {
      applying = applying.then(async () => {
        const r = await runStatus(coneRule(change.action, change.mapping, ifs));
        const what = `${ifs.publicAddress}:${change.mapping.publicPort} -> ${change.mapping.inside.address}:${change.mapping.inside.port}`;
        log(r.exitCode === 0 ? `nat: full-cone mapping ${change.action === '-A' ? 'open' : 'closed'} ${what}` : `nat: could not ${change.action === '-A' ? 'open' : 'close'} ${what}: ${r.stderr.trim()}`);
      });
    }
  });
  child.stderr.on('data', (d: Buffer) => log(`nat: conntrack -E: ${d.toString().trim()}`));
  child.on('exit', (code) => log(`nat: conntrack -E exited (${code}); full-cone mappings no longer follow new flows`));
  // conntrack says nothing once it listens. A flow missed between now and then would never get
  // its rule, so insert a marker entry (a table entry only: no packet is sent) until its event
  // shows up; the flush that follows removes it.
  for (let tries = 0; !subscribed; tries++) {
    if (tries === 50) throw new Error('nat: conntrack -E reported no events within 5 s; full cone cannot follow mappings');
    await runStatus(['conntrack', '-I', '-p', 'udp', '-s', MARKER, '-d', MARKER, '--sport', '9', '--dport', String(9 + tries), '-t', '5']);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { mappings, stop: () => child.kill() };
}

function raise(message: string): never {
  throw new Error(`nat: ${message}`);
}
