import { ruleComment } from './labels.js';

// Pure builders for the host firewall rules a routed lab needs. Docker's isolation rules for
// internal networks drop any packet on a lab bridge whose source is outside that bridge's
// subnet, which is exactly what a packet routed by a router container looks like. One ACCEPT
// per lab bridge, for traffic that enters and leaves that same bridge, lets routed lab traffic
// through and nothing else: it can never reach another bridge or the uplink.

export const CHAIN = 'DOCKER-USER';

export function allowBridgeRule(lab: string, bridge: string): string[] {
  return ['-I', CHAIN, '-i', bridge, '-o', bridge, '-m', 'comment', '--comment', ruleComment(lab), '-j', 'ACCEPT'];
}

/** From `iptables -S DOCKER-USER` output, the `-D` argv of each rule owned by `lab` (all labs if undefined). */
export function deleteRuleArgs(listing: string, lab?: string): string[][] {
  const marker = lab === undefined ? ruleComment('') : ruleComment(lab);
  return listing
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`-A ${CHAIN} `))
    .filter((line) => {
      const comment = /--comment "?([^"\s]+)"?/.exec(line)?.[1];
      return comment !== undefined && (lab === undefined ? comment.startsWith(marker) : comment === marker);
    })
    .map((line) => ['-D', ...line.slice(3).replace(/"/g, '').split(/\s+/)]);
}

/** The bridge device Docker creates for a bridge network: `br-` + the first 12 hex of its id. */
export const bridgeName = (networkId: string) => `br-${networkId.slice(0, 12)}`;
