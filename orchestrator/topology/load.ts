// Topology file -> Topology: parse (with positions), interpolate, validate against the schema,
// apply defaults, run the semantic checks. Every problem becomes a located Diagnostic, and all
// the problems of a stage are reported together in one TopologyError.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { canonicalZone } from '../dns/names.js';
import { loadZoneFiles } from '../dns/zone-files.js';
import { runChecks } from './checks.js';
import { valueAt, type DocLocation } from './doc-path.js';
import { TopologyError } from './errors.js';
import { contentHash } from './hash.js';
import { interpolate, type Env } from './interpolate.js';
import { attachmentOrigin, normalize } from './normalize.js';
import { validateDocument } from './schema-errors.js';
import { parseDocument } from 'yaml';
import { SourceDocument } from './source.js';
import type { Topology } from './types.js';

/**
 * Parses topology text. `file` is used as given in messages and in `Topology.file`
 * ('<inline>' for text with no file). `env` supplies `${VAR}` values; pass process.env from
 * the CLI, or a fixed map in tests. Throws TopologyError.
 */
export function parseTopology(text: string, file: string, env: Env, overrides: string[] = []): Topology {
  const source = SourceDocument.parse(text, file);
  const unresolved = interpolate(source, env);
  if (unresolved.length > 0) throw new TopologyError(unresolved);
  applyOverrides(source, overrides);
  const data = source.data();
  const document = validateDocument(data, source);
  const report = (location: DocLocation, message: string, hint?: string) => source.diagnostic(location, message, hint);
  const loaded = loadZoneFiles(normalize(document, file, contentHash(data)), (zone, message, hint) =>
    report(valueAt(['dns', 'zones', Object.keys(document.dns?.zones ?? {}).find((k) => canonicalZone(k) === zone) ?? zone, 'file']), message, hint),
  );
  const topology = loaded.topology;
  const problems = [...loaded.problems, ...runChecks({
    topology,
    document,
    attachmentOrigin: (node, index) => attachmentOrigin(document, node, index),
    report,
  })];
  if (problems.length > 0) throw new TopologyError(problems);
  return topology;
}

/** Reads and parses a topology file. Messages use `file` as given; `Topology.file` is absolute. */
/**
 * `--set PATH=VALUE` (e.g. `experiment.repeat=10`, `networks.wan.delay=20ms`): the value, read as
 * YAML, replaces or adds the key at that dotted path before validation, so it is checked like the
 * file itself. Errors about it point at the line that holds (or would hold) the key.
 */
function applyOverrides(source: SourceDocument, overrides: string[]): void {
  for (const override of overrides) {
    const eq = override.indexOf('=');
    if (eq <= 0) {
      throw new TopologyError([{ file: source.file, line: 1, col: 1, path: '', message: `--set "${override}": expected PATH=VALUE, e.g. experiment.repeat=10`, hint: 'write the dotted path of a key, "=", and its value' }]);
    }
    const path = override.slice(0, eq).split('.');
    source.document.setIn(path, parseDocument(override.slice(eq + 1)).toJS());
  }
}

export async function loadTopology(file: string, env: Env, overrides: string[] = []): Promise<Topology> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new TopologyError([
      {
        file,
        line: 1,
        col: 1,
        path: '',
        message: `cannot read the topology file (${error.code ?? error.message})`,
        hint: error.code === 'ENOENT' ? 'check the path; topologies shipped with emunet are in topologies/' : 'check that the file is readable',
      },
    ]);
  });
  return { ...parseTopology(text, file, env, overrides), file: resolve(file) };
}
