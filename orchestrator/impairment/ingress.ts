// The userspace backend delays at the RECEIVER. A packet held in an NFQUEUE on the sender's
// egress still counts against its TCP socket (TCP small queues allow only ~2 packets, or 1 ms
// of data, "in the host" per socket), so a sender-side delay of 20 ms caps a TCP flow at about
// 2.3 Mbit/s. netem avoids this by orphaning the packets it holds; an NFQUEUE cannot. Once a
// packet has crossed the veth into the receiver's namespace it belongs to no socket, so each
// member holds what it RECEIVES on a network for as long as the SENDER's settings say: the
// semantics (delay on what a member sends) are unchanged, only where the wait happens moves.
// Senders are told apart by source MAC, which emunet derives from the address (see macFromIpv4).
// Pure: bundled into the agent.
import type { Command } from './commands.js';
import { DEFAULT_LIMIT_PACKETS } from './delayer.js';
import type { LinkImpairment } from './spec.js';

/** The settings a receiver-side delayer carries out for a sender. */
const DELAY_FIELDS = ['delayUs', 'jitterUs', 'distribution', 'delayCorrelationPct', 'lossPct', 'lossCorrelationPct', 'reorderPct', 'limitPackets'] as const;

export type DelaySettings = Pick<LinkImpairment, (typeof DELAY_FIELDS)[number]>;

export function delaySettings(i: LinkImpairment): DelaySettings {
  return Object.fromEntries(DELAY_FIELDS.filter((f) => i[f] !== undefined && i[f] !== 0).map((f) => [f, i[f]])) as DelaySettings;
}

/** What the sender itself still does on its egress with the userspace backend (rate, download, down). */
export function senderSettings(i: LinkImpairment): LinkImpairment {
  const own: Record<string, unknown> = { ...i };
  for (const f of DELAY_FIELDS) delete own[f];
  return own as LinkImpairment;
}

/** Docker (20.10) derives a container's MAC from its address; the agent enforces the same rule. */
export function macFromIpv4(address: string): string {
  return ['02', '42', ...address.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

export interface Sender {
  address: string;
  impairment: LinkImpairment;
}

export interface SenderGroup {
  queue: number;
  settings: DelaySettings;
  /** Source MACs of the group; undefined when the group is every sender on the network. */
  macs?: string[];
}

/**
 * Senders with the same delay settings share one delayer (one queue). When every sender has the
 * same settings — the usual case — one rule takes everything from the device, no MAC lookup.
 * Senders without delay settings get no rule: their packets are not queued at all.
 */
export function groupSenders(senders: Sender[], firstQueue: number): SenderGroup[] {
  const groups = new Map<string, { settings: DelaySettings; macs: string[] }>();
  for (const s of senders) {
    const settings = delaySettings(s.impairment);
    const key = JSON.stringify(settings);
    const group = groups.get(key) ?? { settings, macs: [] };
    group.macs.push(macFromIpv4(s.address));
    groups.set(key, group);
  }
  const all = [...groups.values()];
  const delayed = all.filter((g) => Object.keys(g.settings).length > 0);
  return delayed.map((g, index) => ({ queue: firstQueue + index, settings: g.settings, ...(all.length === 1 ? {} : { macs: g.macs }) }));
}

export const ingressChain = (dev: string) => `emunet-in-${dev}`;

/** Creates the device's chain and hooks it into PREROUTING once (re-running changes nothing). */
export function ingressHook(dev: string): Command[] {
  const chain = ingressChain(dev);
  return [
    { argv: ['iptables', '-t', 'mangle', '-N', chain], unless: ['iptables', '-t', 'mangle', '-nL', chain] },
    { argv: ['iptables', '-t', 'mangle', '-A', 'PREROUTING', '-i', dev, '-j', chain], unless: ['iptables', '-t', 'mangle', '-C', 'PREROUTING', '-i', dev, '-j', chain] },
  ];
}

/**
 * iptables-restore --noflush input that replaces the chain's rules in one transaction, so no
 * packet slips through undelayed while the senders' settings change.
 */
export function ingressRules(dev: string, groups: SenderGroup[]): string {
  const chain = ingressChain(dev);
  const rules = groups.flatMap((g) =>
    g.macs === undefined
      ? [`-A ${chain} -j NFQUEUE --queue-num ${g.queue}`]
      : g.macs.map((mac) => `-A ${chain} -m mac --mac-source ${mac} -j NFQUEUE --queue-num ${g.queue}`),
  );
  return ['*mangle', `-F ${chain}`, ...rules, 'COMMIT', ''].join('\n');
}

export const queueConfigPath = (queue: number) => `/run/emunet/nfdelay-q${queue}.conf`;

export const queueDelayerArgv = (queue: number) => ['emunet-nfdelay', '--queue', String(queue), '--config', queueConfigPath(queue)];

/** The delayer's config for one sender group (every key written, so nothing is inherited). */
export function groupConfig(settings: DelaySettings, seed: number): string {
  const values: [string, string | number][] = [
    ['delay_us', settings.delayUs ?? 0],
    ['jitter_us', settings.jitterUs ?? 0],
    ['distribution', settings.distribution ?? 'normal'],
    ['delay_correlation', settings.delayCorrelationPct ?? 0],
    ['loss', settings.lossPct ?? 0],
    ['loss_correlation', settings.lossCorrelationPct ?? 0],
    ['reorder', settings.reorderPct ?? 0],
    ['limit', settings.limitPackets ?? DEFAULT_LIMIT_PACKETS],
    ['seed', seed],
  ];
  return values.map(([key, value]) => `${key}=${value}\n`).join('');
}
