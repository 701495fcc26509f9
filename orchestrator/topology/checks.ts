// Semantic checks: the rules a JSON Schema cannot express. They run in order, only on a document
// the schema accepted, and each returns its own diagnostics so that one bad value does not hide
// the others. A check skips what an earlier one reports (e.g. addresses on unknown networks).
import { closestName } from './closest-name.js';
import { valueAt, type DocLocation } from './doc-path.js';
import {
  blockSize, broadcastAddress, canonical, contains, formatCidr, formatIpv4, isCanonical, networkAddress, nthAddress, overlaps, parseCidr, parseIpv4,
  type Cidr,
} from './ipv4.js';
import { dnsChecks } from './dns-checks.js';
import { p2pNodesAreValid } from './p2p-checks.js';
import { impairmentChecks } from './impairment-checks.js';
import { stepChecks } from './step-checks.js';
import { expectationsAreComputable, sweepKeysAndValuesAreKnown } from './sweep-checks.js';
import type { AttachmentOrigin, TopologyDocument } from './normalize.js';
import type { Diagnostic, NetworkDef, Topology } from './types.js';

export interface CheckContext {
  topology: Topology;
  /** The document as written, for rules about what was written together (the model merges it). */
  document: TopologyDocument;
  attachmentOrigin(node: string, index: number): AttachmentOrigin;
  report(location: DocLocation, message: string, hint?: string): Diagnostic;
}

type Check = (context: CheckContext) => Diagnostic[];

/** Network address, Docker's gateway (.1) and broadcast address are never given to nodes. */
const RESERVED_PER_SUBNET = 3;

const poolIsUsable: Check = ({ topology, report }) => {
  const pool = parseCidr(topology.pool) as Cidr;
  if (!isCanonical(pool)) {
    return [report(valueAt(['pool']), `pool ${topology.pool} does not start at its network address`, `write ${formatCidr(canonical(pool))}`)];
  }
  const tooLarge = topology.networks.filter((n) => n.subnet === undefined && n.prefix < pool.prefix);
  if (tooLarge.length === 0) return [];
  const prefixes = [...new Set(tooLarge.map((n) => n.prefix))].map((p) => `/${p}`).join(', ');
  return [
    report(
      valueAt(['pool']),
      `pool ${topology.pool} is smaller than the ${prefixes} subnets to allocate from it (networks ${tooLarge.map((n) => n.name).join(', ')})`,
      `use a pool with prefix length <= ${Math.min(...tooLarge.map((n) => n.prefix))}, or give those networks a longer \`prefix:\``,
    ),
  ];
};

const subnetsStartAtTheirNetworkAddress: Check = ({ topology, report }) =>
  withSubnets(topology.networks)
    .filter(({ subnet }) => !isCanonical(subnet))
    .map(({ network, subnet }) =>
      report(valueAt(['networks', network.name, 'subnet']), `subnet ${network.subnet} has host bits set; a subnet starts at its network address`, `write ${formatCidr(canonical(subnet))}`),
    );

const subnetsDoNotOverlap: Check = ({ topology, report }) => {
  const given = withSubnets(topology.networks);
  return given.flatMap(({ network, subnet }, i) => {
    const earlier = given.slice(0, i).find((other) => overlaps(other.subnet, subnet));
    if (earlier === undefined) return [];
    return [
      report(
        valueAt(['networks', network.name, 'subnet']),
        `subnet ${network.subnet} overlaps network "${earlier.network.name}" (${earlier.network.subnet})`,
        'give each network its own block of addresses',
      ),
    ];
  });
};

const subnetsHoldTheirMembers: Check = ({ topology, report }) =>
  topology.networks.flatMap((network) => {
    const members = topology.nodes.filter((node) => node.attachments.some((a) => a.network === network.name)).length;
    const prefix = network.subnet === undefined ? network.prefix : (parseCidr(network.subnet) as Cidr).prefix;
    const capacity = Math.max(0, blockSize(prefix) - RESERVED_PER_SUBNET);
    if (members <= capacity) return [];
    const field = network.subnet === undefined ? 'prefix' : 'subnet';
    return [
      report(
        valueAt(['networks', network.name, field]),
        `network "${network.name}" has ${members} members but a /${prefix} has room for ${capacity} (its network, gateway and broadcast addresses are reserved)`,
        `use a larger subnet (a shorter prefix length than /${prefix})`,
      ),
    ];
  });

const nodesJoinANetwork: Check = ({ topology, report }) =>
  topology.nodes
    .filter((node) => node.attachments.length === 0)
    .map((node) =>
      report(valueAt(['nodes', node.name, 'networks']), `node "${node.name}" joins no network; a node needs at least one (the first is its primary network)`, 'list the networks it joins: `networks: [left]`'),
    );

const attachmentsNameKnownNetworks: Check = ({ topology, attachmentOrigin, report }) => {
  const known = topology.networks.map((n) => n.name);
  return topology.nodes.flatMap((node) =>
    node.attachments.flatMap((attachment, i) => {
      if (known.includes(attachment.network)) return [];
      const suggestion = closestName(attachment.network, known);
      return [
        report(
          attachmentOrigin(node.name, i).network,
          `unknown network "${attachment.network}"; expected one of [${known.join(', ')}]`,
          suggestion === undefined ? `declare it under \`networks:\`, e.g. \`${attachment.network}: {}\`` : `did you mean "${suggestion}"?`,
        ),
      ];
    }),
  );
};

const attachmentsAreDistinct: Check = ({ topology, attachmentOrigin, report }) =>
  topology.nodes.flatMap((node) =>
    node.attachments.flatMap((attachment, i) => {
      const first = node.attachments.findIndex((a) => a.network === attachment.network);
      if (first === i) return [];
      return [
        report(
          attachmentOrigin(node.name, i).network,
          `network "${attachment.network}" is listed twice for node "${node.name}" (first at networks[${first}])`,
          'remove the duplicate: a node has one interface per network',
        ),
      ];
    }),
  );

const staticAddressesNeedASubnet: Check = ({ topology, attachmentOrigin, report }) =>
  staticAttachments(topology)
    .filter(({ network }) => network.subnet === undefined)
    .map(({ node, index, address, network }) =>
      report(
        attachmentOrigin(node, index).address,
        `static address ${address} on network "${network.name}", which has no subnet to check it against`,
        `give network ${network.name} a \`subnet:\` to use static addresses, or omit \`address:\` to get one allocated`,
      ),
    );

const staticAddressesFitTheirSubnet: Check = ({ topology, attachmentOrigin, report }) =>
  staticAttachments(topology).flatMap(({ node, index, address, network }) => {
    if (network.subnet === undefined) return [];
    const subnet = parseCidr(network.subnet) as Cidr;
    const ip = parseIpv4(address) as number;
    const problem = !contains(subnet, ip)
      ? `is outside network "${network.name}" (${network.subnet})`
      : ip === networkAddress(subnet)
        ? `is the network address of network "${network.name}" (${network.subnet})`
        : ip === broadcastAddress(subnet)
          ? `is the broadcast address of network "${network.name}" (${network.subnet})`
          : ip === nthAddress(subnet, 1)
            ? `is reserved for the Docker bridge gateway of network "${network.name}" (${network.subnet})`
            : undefined;
    if (problem === undefined) return [];
    const usable = `${formatIpv4(nthAddress(subnet, 2))} to ${formatIpv4(broadcastAddress(subnet) - 1)}`;
    return [report(attachmentOrigin(node, index).address, `address ${address} ${problem}`, `use an address from ${usable}`)];
  });

const staticAddressesAreUnique: Check = ({ topology, attachmentOrigin, report }) => {
  const owners = new Map<string, string>();
  return staticAttachments(topology).flatMap(({ node, index, address, network }) => {
    const key = `${network.name} ${address}`;
    const owner = owners.get(key);
    if (owner === undefined) {
      owners.set(key, node);
      return [];
    }
    return [
      report(
        attachmentOrigin(node, index).address,
        `address ${address} on network "${network.name}" is already used by node "${owner}"`,
        'give each node its own address, or omit `address:` to get one allocated',
      ),
    ];
  });
};

/** In the order they run: whole-lab address space first, then nodes, then the experiment. */
export const checks: readonly Check[] = [
  poolIsUsable,
  subnetsStartAtTheirNetworkAddress,
  subnetsDoNotOverlap,
  subnetsHoldTheirMembers,
  nodesJoinANetwork,
  attachmentsNameKnownNetworks,
  attachmentsAreDistinct,
  staticAddressesNeedASubnet,
  staticAddressesFitTheirSubnet,
  staticAddressesAreUnique,
  ...stepChecks,
  ...impairmentChecks,
  sweepKeysAndValuesAreKnown,
  expectationsAreComputable,
  ...dnsChecks,
  p2pNodesAreValid,
];

export function runChecks(context: CheckContext): Diagnostic[] {
  return checks.flatMap((check) => check(context));
}

/** Networks that were given a subnet, with it parsed (the schema guarantees its syntax). */
function withSubnets(networks: NetworkDef[]): { network: NetworkDef; subnet: Cidr }[] {
  return networks.flatMap((network) => (network.subnet === undefined ? [] : [{ network, subnet: parseCidr(network.subnet) as Cidr }]));
}

/** Attachments with a static address, on networks that exist. */
function staticAttachments(topology: Topology): { node: string; index: number; address: string; network: NetworkDef }[] {
  return topology.nodes.flatMap((node) =>
    node.attachments.flatMap((attachment, index) => {
      const network = topology.networks.find((n) => n.name === attachment.network);
      if (attachment.address === undefined || network === undefined) return [];
      return [{ node: node.name, index, address: attachment.address, network }];
    }),
  );
}
