// `${VAR}` / `${VAR:-default}` substitution in the string values of a parsed topology.
//
// Rules:
//  - Only string scalar VALUES are interpolated; keys and comments never are.
//  - `${VAR}` with VAR unset is an error located at the scalar; `${VAR:-default}` uses the
//    default when VAR is unset or empty. `$${` writes a literal `${`.
//  - Typing: a plain (unquoted) scalar that is exactly one `${...}` takes the YAML type of its
//    result, as if the value had been written there: `count: ${N}` with N=20 is the number 20,
//    `on: ${FLAG}` with FLAG=true is a boolean. Quoted scalars (`"${N}"`) always stay strings.
//  - Inside flow collections (`{ ... }`, `[ ... ]`) a reference must be quoted, because `{` is
//    YAML syntax there; the syntax error says so.
// The environment is a parameter: only the CLI reads process.env.
import { isMap, isScalar, isSeq, parseDocument, type Scalar } from 'yaml';
import { valueAt, type PathSegment } from './doc-path.js';
import type { SourceDocument } from './source.js';
import type { Diagnostic } from './types.js';

export type Env = Record<string, string | undefined>;

/** Either `$${` (an escaped dollar) or a `${...}` reference; an unterminated `${` matches too. */
const REFERENCE = /\$\$\{|\$\{([^}]*)(\}?)/g;
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;
const WHOLE_REFERENCE = /^\$\{[^}]*\}$/;

/** Substitutes variables in place in the source document; returns the problems found. */
export function interpolate(source: SourceDocument, env: Env): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  forEachStringValue(source.document.contents, [], (scalar, path) => {
    const text = scalar.value as string;
    if (!text.includes('${')) return;
    const { value, problems } = substitute(text, env);
    for (const problem of problems) diagnostics.push(source.diagnostic(valueAt(path), problem.message, problem.hint));
    scalar.value = scalar.type === 'PLAIN' && WHOLE_REFERENCE.test(text) ? typed(value) : value;
  });
  return diagnostics;
}

export interface SubstitutionProblem {
  message: string;
  hint: string;
}

/** Replaces every reference in one string; the value is only meaningful when there are no problems. */
export function substitute(text: string, env: Env): { value: string; problems: SubstitutionProblem[] } {
  const problems: SubstitutionProblem[] = [];
  const value = text.replace(REFERENCE, (match, body: string | undefined, closing: string | undefined) => {
    if (match === '$${') return '${';
    // ${params.NAME} is the experiment's, resolved per parameter point when steps run.
    if (body?.startsWith('params.') && closing !== '') return match;
    const parts = closing === '' ? null : VARIABLE.exec(body ?? '');
    if (!parts) {
      problems.push({
        message: `malformed variable reference "${match}"; expected \${NAME} or \${NAME:-default}, NAME being letters, digits and underscores`,
        hint: 'fix the reference, or write `$${` for a literal `${`',
      });
      return match;
    }
    const [, name = '', fallback] = parts;
    const set = env[name];
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (set !== undefined) return set;
    problems.push({
      message: `variable ${name} is not set (used as "${match}")`,
      hint: `set ${name} in the environment, or give a default: \${${name}:-value}`,
    });
    return match;
  });
  return { value, problems };
}

/** The value a YAML plain scalar with this text would have, restricted to numbers and booleans. */
function typed(text: string): string | number | boolean {
  const parsed = parseDocument(text);
  const value: unknown = isScalar(parsed.contents) ? parsed.contents.value : undefined;
  return parsed.errors.length === 0 && (typeof value === 'number' || typeof value === 'boolean') ? value : text;
}

function forEachStringValue(node: unknown, path: PathSegment[], visit: (scalar: Scalar, path: PathSegment[]) => void): void {
  if (isScalar(node)) {
    if (typeof node.value === 'string') visit(node, path);
  } else if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key)) forEachStringValue(pair.value, [...path, String(pair.key.value)], visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => forEachStringValue(item, [...path, i], visit));
  }
}
