// Zones with a `file:` get that master file's records, read next to the topology. A file's
// SOA and apex NS records are the lab's to derive (the servers are the lab's nodes), so they
// are left out; delegations inside a file would point outside the lab, so they are refused.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, Topology, ZoneRecord } from '../topology/types.js';
import { MasterFileError, parseMasterFile } from './master-file.js';

/** Resolves each zone's file relative to the topology file (or the working directory for inline text). */
export function loadZoneFiles(topology: Topology, fileProblem: (zone: string, message: string, hint?: string) => Diagnostic): { topology: Topology; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const base = topology.file === '<inline>' ? process.cwd() : path.dirname(path.resolve(topology.file));
  const zones = topology.dns.zones.map((zone) => {
    if (zone.file === undefined) return zone;
    const file = path.resolve(base, zone.file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      problems.push(fileProblem(zone.name, `cannot read master file ${zone.file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, `the path is relative to the topology file's directory (${base})`));
      return zone;
    }
    try {
      const records: ZoneRecord[] = [];
      for (const r of parseMasterFile(text, zone.name, zone.ttl)) {
        const at = { file, line: r.line, col: r.col };
        if ((r.type === 'SOA' || r.type === 'NS') && r.owner === zone.name) continue;
        if (r.type === 'NS') {
          problems.push({ file, line: r.line, col: r.col, path: '', message: `NS record for ${r.owner}: delegations are derived from the lab's name servers`, hint: 'list the child zone in a dns-auth node\'s config.zones instead' });
          continue;
        }
        records.push({ owner: r.owner, type: r.type, ttl: r.ttl, value: r.type === 'TXT' ? r.fields : r.fields.join(' '), origin: r.origin, at });
      }
      return { ...zone, records: [...zone.records, ...records] };
    } catch (e) {
      if (!(e instanceof MasterFileError)) throw e;
      problems.push({ file, line: e.line, col: e.col, path: '', message: e.message });
      return zone;
    }
  });
  return { topology: { ...topology, dns: { ...topology.dns, zones } }, problems };
}
