// Where the userspace backend holds a packet, and why it is usually not the sender.
//
// A packet held in an NFQUEUE on the sender's egress still counts against its socket. For TCP,
// TCP small queues then allow only ~2 packets (or 1 ms of data) "in the host", so 20 ms of
// sender-side delay caps a flow near 2.3 Mbit/s (measured); for UDP the send buffer fills
// (~256 datagrams by default: ~12k packets/s at 20 ms, 2.5k at 100 ms). netem escapes both by
// orphaning what it holds; an NFQUEUE cannot. Once a packet has crossed the veth into the
// receiver's namespace, ip_rcv has orphaned it, so TCP and UDP are held by the RECEIVER, for as
// long as the SENDER's settings say (senders are told apart by source MAC, see macFromIpv4).
// ICMP is held by the sender itself: ping reads the kernel's receive timestamp, taken before a
// receiver-side hold, and would show half the delay. Either way each packet waits exactly
// once, with its sender's settings: the semantics (delay on what a member sends) do not depend
// on where it waits. What remains visible: tcpdump inside a receiver shows TCP and UDP when
// they reach the interface, before their delay; broadcast and multicast are not impaired (the
// kernel's own IGMP reports, sent at random moments, would otherwise consume random draws and
// a seed would no longer repeat a loss pattern); fast pings over long delays fill ping's small
// send buffer (give it room with `ping -S 1048576`).
// Held traffic is exempt from connection tracking (raw table, CT --notrack). Conntrack is active
// in every container (Docker's embedded DNS uses NAT on lo), and a packet held in the mangle
// table carries an unconfirmed conntrack entry: a second packet of the same new flow queued
// meanwhile gets its own entry and is dropped when confirmed (ICMP has no clash resolution), so
// `ping -i 0.005` behind 20 ms of delay lost icmp_seq 2. Only the lab interfaces are exempted;
// Docker's DNS on lo keeps its NAT. Pure: bundled into the agent.
import type { Command } from './commands.js';
import type { LinkImpairment } from './spec.js';

/** The settings a receiver-side delayer carries out for a sender. */
const DELAY_FIELDS = ['delayUs', 'jitterUs', 'distribution', 'delayCorrelationPct', 'lossPct', 'lossCorrelationPct', 'reorderPct', 'limitPackets'] as const;

export type DelaySettings = Pick<LinkImpairment, (typeof DELAY_FIELDS)[number]>;

export function delaySettings(i: LinkImpairment): DelaySettings {
  return Object.fromEntries(DELAY_FIELDS.filter((f) => i[f] !== undefined && i[f] !== 0).map((f) => [f, i[f]])) as DelaySettings;
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
export const egressChain = (dev: string) => `emunet-out-${dev}`;

/** Exempts the device from conntrack, creates its two chains and hooks them into PREROUTING / POSTROUTING, once. */
export function delayHooks(dev: string): Command[] {
  const hook = (chain: string, builtin: string, direction: '-i' | '-o'): Command[] => [
    { argv: ['iptables', '-t', 'mangle', '-N', chain], unless: ['iptables', '-t', 'mangle', '-nL', chain] },
    { argv: ['iptables', '-t', 'mangle', '-A', builtin, direction, dev, '-j', chain], unless: ['iptables', '-t', 'mangle', '-C', builtin, direction, dev, '-j', chain] },
  ];
  const notrack = (chain: string, direction: '-i' | '-o'): Command => {
    const rule = [chain, direction, dev, '-j', 'CT', '--notrack'];
    return { argv: ['iptables', '-t', 'raw', '-A', ...rule], unless: ['iptables', '-t', 'raw', '-C', ...rule] };
  };
  return [notrack('PREROUTING', '-i'), notrack('OUTPUT', '-o'), ...hook(ingressChain(dev), 'PREROUTING', '-i'), ...hook(egressChain(dev), 'POSTROUTING', '-o')];
}

/**
 * iptables-restore --noflush input that replaces both chains' rules in one transaction, so no
 * packet slips through undelayed while settings change: the device's own ICMP to `ownQueue`
 * (if it is delayed at all), everything else from each sender group to that group's queue.
 */
export function delayRules(dev: string, ownQueue: number | undefined, groups: SenderGroup[]): string {
  const inChain = ingressChain(dev);
  const outChain = egressChain(dev);
  const unicast = '-m addrtype ! --dst-type BROADCAST -m addrtype ! --dst-type MULTICAST';
  const incoming = groups.flatMap((g) =>
    g.macs === undefined
      ? [`-A ${inChain} ! -p icmp ${unicast} -j NFQUEUE --queue-num ${g.queue}`]
      : g.macs.map((mac) => `-A ${inChain} ! -p icmp ${unicast} -m mac --mac-source ${mac} -j NFQUEUE --queue-num ${g.queue}`),
  );
  const outgoing = ownQueue === undefined ? [] : [`-A ${outChain} -p icmp ${unicast} -j NFQUEUE --queue-num ${ownQueue}`];
  return ['*mangle', `-F ${inChain}`, `-F ${outChain}`, ...incoming, ...outgoing, 'COMMIT', ''].join('\n');
}
