// Checks of the lab's DNS: DNS nodes' configs, zones that someone serves, records whose values
// parse and whose owners are inside their zone, resolvers that exist and can start somewhere.
import { isAtOrBelow } from '../dns/names.js';
import { isServerRole, resolverConfig, serverConfig } from '../dns/node-config.js';
import { recordValue, RecordValueError } from '../dns/records.js';
import type { CheckContext } from './checks.js';
import { closestName } from './closest-name.js';
import { keyAt, valueAt } from './doc-path.js';
import type { Diagnostic, ZoneRecord } from './types.js';

type Check = (context: CheckContext) => Diagnostic[];

const dnsNodeConfigsAreValid: Check = ({ topology, report }) =>
  topology.nodes.flatMap((node) => {
    const problems = isServerRole(node.role) ? serverConfig(node.role, node.config).problems : node.role === 'dns-resolver' ? resolverConfig(node.config).problems : [];
    return problems.map((p) => report(p.key.length === 0 ? keyAt(['nodes', node.name, 'role']) : (p.message.startsWith('unknown key') ? keyAt : valueAt)(['nodes', node.name, 'config', ...p.key]), p.message, p.hint));
  });

const servedZones = (ctx: CheckContext) =>
  new Set(ctx.topology.nodes.filter((n) => isServerRole(n.role)).flatMap((n) => serverConfig(n.role, n.config).value.zones));

const declaredZonesAreServed: Check = (ctx) => {
  const served = servedZones(ctx);
  return ctx.topology.dns.zones.flatMap((zone) => {
    if (served.has(zone.name)) return [];
    const written = Object.keys(ctx.document.dns?.zones ?? {}).find((k) => k.replace(/\.$/, '').toLowerCase() === zone.name || (zone.name === '.' && k === '.')) ?? zone.name;
    return [ctx.report(keyAt(['dns', 'zones', written]), `zone ${zone.name} is declared but no name server serves it`, zone.name === '.' ? 'add a node with role dns-root' : `add it to a dns-auth (or dns-tld) node: \`config: { zones: [${zone.name}] }\``)];
  });
};

const recordsAreValid: Check = ({ topology, report }) => {
  const nodes = topology.nodes.map((n) => n.name);
  const askers = [...topology.networks.map((n) => n.name), ...nodes];
  return topology.dns.zones.flatMap((zone) =>
    zone.records.flatMap((r) => {
      const problem = (message: string, hint?: string): Diagnostic => ('file' in r.at ? { file: r.at.file, line: r.at.line, col: r.at.col, path: '', message, ...(hint ? { hint } : {}) } : report(valueAt(r.at.path), message, hint));
      if (!isAtOrBelow(r.owner, zone.name)) return [problem(`${r.owner} is outside zone ${zone.name}`, 'write names relative to the zone (www), or absolute names that end in the zone')];
      if (r.client !== undefined && !askers.includes(r.client) && 'path' in r.at) {
        const close = closestName(r.client, askers);
        const key = r.at.path.slice(0, r.at.path.indexOf('by-client') + 2);
        return [report(keyAt(key), `by-client key "${r.client}" is neither a network nor a node; expected one of [${askers.join(', ')}] or "default"`, close ? `did you mean "${close}"?` : undefined)];
      }
      if (Array.isArray(r.value)) return [];
      try {
        recordValue(r.type, r.value, r.origin, nodes);
        return [];
      } catch (e) {
        if (!(e instanceof RecordValueError)) throw e;
        return [problem(`${r.type} record of ${r.owner}: ${e.message}`, hintFor(r, nodes))];
      }
    }),
  );
};

function hintFor(r: ZoneRecord, nodes: string[]): string | undefined {
  if (r.type !== 'A' || typeof r.value !== 'string') return undefined;
  const close = closestName(r.value, nodes);
  return close ? `did you mean "${close}"?` : undefined;
}

const resolversAreResolvers: Check = ({ topology, document, report }) => {
  const resolvers = topology.nodes.filter((n) => n.role === 'dns-resolver').map((n) => n.name);
  const check = (name: string, location: ReturnType<typeof valueAt>): Diagnostic[] => {
    if (resolvers.includes(name)) return [];
    const close = closestName(name, resolvers);
    const hint = close ? `did you mean "${close}"?` : resolvers.length === 0 ? 'add a node with role dns-resolver' : undefined;
    return [report(location, `"${name}" is not a dns-resolver node; ${resolvers.length === 0 ? 'the lab has none' : `the resolvers are [${resolvers.join(', ')}]`}`, hint)];
  };
  return [
    ...(topology.dns.resolver === undefined ? [] : check(topology.dns.resolver, valueAt(['dns', 'resolver']))),
    ...Object.entries(document.nodes).flatMap(([name, node]) => (node.resolver === undefined ? [] : check(node.resolver, valueAt(['nodes', name, 'resolver'])))),
  ];
};

const resolversHaveWhereToStart: Check = ({ topology, report }) => {
  const hasRoot = topology.nodes.some((n) => n.role === 'dns-root');
  const servers = topology.nodes.filter((n) => isServerRole(n.role)).map((n) => n.name);
  return topology.nodes.flatMap((node) => {
    if (node.role !== 'dns-resolver') return [];
    const config = resolverConfig(node.config).value;
    const unknown = config.forwarders.filter((f) => !servers.includes(f));
    if (unknown.length > 0) return [report(valueAt(['nodes', node.name, 'config', 'forwarders']), `forwarders must be name servers of the lab; not one: [${unknown.join(', ')}]; servers: [${servers.join(', ')}]`)];
    if (hasRoot || config.forwarders.length > 0) return [];
    return [report(keyAt(['nodes', node.name, 'role']), `resolver "${node.name}" starts from the root, but no node has role dns-root`, config.mode === 'recursive' ? 'add a dns-root node, or give it `config: { forwarders: [SERVER] }`' : 'add a node with role dns-root serving the root zone')];
  });
};

/** A validating resolver's trust anchor is the root's key: with an unsigned root every answer would be insecure, and the anchor would not exist. */
const validatorsHaveSignedRoot: Check = ({ topology, report }) => {
  const root = topology.dns.zones.find((z) => z.name === '.');
  if (root?.dnssec) return [];
  return topology.nodes.flatMap((node) => {
    if (node.role !== 'dns-resolver' || resolverConfig(node.config).value.defences.dnssec !== true) return [];
    return [report(valueAt(['nodes', node.name, 'config', 'dnssec']), `resolver "${node.name}" validates DNSSEC (dnssec: true), but the root zone is ${root ? 'not signed' : 'not declared'}: its key is the trust anchor`, 'sign the root: `dns: { zones: { .: { dnssec: true } } }` (and the zones below it), or set `dnssec: false`')];
  });
};

export const dnsChecks: readonly Check[] = [dnsNodeConfigsAreValid, declaredZonesAreServed, recordsAreValid, resolversAreResolvers, resolversHaveWhereToStart, validatorsHaveSignedRoot];
