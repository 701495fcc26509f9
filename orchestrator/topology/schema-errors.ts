// Validates data against the topology schema and turns ajv's errors into messages for people:
// what was expected, what was found, where, and how to fix it.
import { Ajv, type ErrorObject } from 'ajv';
import { closestName } from './closest-name.js';
import { keyAt, pointerToPath, valueAt, type DocLocation } from './doc-path.js';
import { TopologyError } from './errors.js';
import type { TopologyDocument } from './normalize.js';
import { KEY_HINTS, NAME_PATTERN, PATTERN_MEANINGS, PATTERN_UNITS, topologySchema } from './schema.js';
import type { SourceDocument } from './source.js';
import type { Diagnostic } from './types.js';

// verbose: errors carry the offending data and their schema, which the messages quote.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
const validate = ajv.compile<TopologyDocument>(topologySchema);

/** The data as a TopologyDocument, or a TopologyError listing every schema violation. */
export function validateDocument(data: unknown, source: SourceDocument): TopologyDocument {
  if (validate(data)) return data;
  const diagnostics = relevantErrors(validate.errors ?? []).map((error) => {
    const { location, message, hint } = explain(error, data);
    return source.diagnostic(location, message, hint);
  });
  throw new TopologyError(unique(diagnostics));
}

interface Explanation {
  location: DocLocation;
  message: string;
  hint?: string;
}

function explain(error: ErrorObject, data: unknown): Explanation {
  const path = pointerToPath(error.instancePath, data);
  const found = describeValue(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties ?? {}) as object);
      const suggestion = closestName(key, allowed);
      const hint = suggestion === undefined ? KEY_HINTS[key] : `did you mean "${suggestion}"?`;
      return {
        location: keyAt([...path, key]),
        message: `unknown key "${key}"; expected one of [${allowed.join(', ')}]`,
        ...(hint === undefined ? {} : { hint }),
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const description = (error.parentSchema?.properties?.[key] as { description?: string } | undefined)?.description;
      return { location: keyAt(path), message: `missing required key "${key}"`, hint: `add \`${key}:\` (${description ?? 'see the schema'})` };
    }
    case 'type':
      return explainType(params.type, path, error);
    case 'pattern':
      return explainPattern(String(params.pattern), path, error);
    case 'enum': {
      const allowed = (error.schema as unknown[]).map(String);
      const suggestion = typeof error.data === 'string' ? closestName(error.data, allowed) : undefined;
      return {
        location: valueAt(path),
        message: `expected one of [${allowed.join(', ')}], found ${found}`,
        ...(suggestion === undefined ? {} : { hint: `did you mean "${suggestion}"?` }),
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { location: valueAt(path), message: `expected a number ${String(params.comparison)} ${String(params.limit)}, found ${found}` };
    case 'oneOf':
    case 'anyOf': {
      const branches = error.schema as { type?: string; description?: string }[];
      return {
        location: valueAt(path),
        message: `expected ${branches.map((b) => describeTypes(b.type)).join(' or ')}, found ${found}`,
        hint: branches.map((b) => b.description ?? '').join(' Or: '),
      };
    }
    default:
      return { location: valueAt(path), message: `${error.message ?? 'invalid'}, found ${found}` };
  }
}

/** A value with a pattern is described by its meaning: `delay: 40` needs a unit, not "a string". */
function explainType(type: unknown, path: (string | number)[], error: ErrorObject): Explanation {
  const pattern = (error.parentSchema as { pattern?: string } | undefined)?.pattern;
  const meaning = pattern === undefined ? undefined : PATTERN_MEANINGS[pattern];
  const found = describeValue(error.data);
  if (meaning === undefined) return { location: valueAt(path), message: `expected ${describeTypes(type)}, found ${found}` };
  const unit = PATTERN_UNITS[pattern ?? ''];
  const withUnit = typeof error.data === 'number' && unit !== undefined ? `${error.data}${unit}` : undefined;
  return {
    location: valueAt(path),
    message: `expected ${meaning}, found ${found}`,
    ...(withUnit === undefined ? {} : { hint: `write the unit, e.g. \`${withUnit}\`` }),
  };
}

function explainPattern(pattern: string, path: (string | number)[], error: ErrorObject): Explanation {
  const meaning = PATTERN_MEANINGS[pattern] ?? `text matching ${pattern}`;
  const isName = pattern === NAME_PATTERN;
  // Inside `propertyNames`, the offending value is a key: point at it, not at its map.
  const key = (error as { propertyName?: string }).propertyName;
  const text = key ?? String(error.data);
  const suggestion = isName ? nameLike(text) : undefined;
  return {
    location: key === undefined ? valueAt(path) : keyAt([...path, key]),
    message: key === undefined ? `expected ${meaning}, found ${describeValue(error.data)}` : `invalid name "${key}": expected ${meaning}`,
    ...(suggestion === undefined ? {} : { hint: `rename it, e.g. "${suggestion}"` }),
  };
}

/** ajv's errors minus those that only restate another one. */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>([
    // `propertyNames` wraps the failing name's own error, which says more; `if` only says that
    // its `then`/`else` failed, whose own errors say what is missing.
    ...errors.filter((e) => e.keyword === 'propertyNames' || e.keyword === 'if'),
    ...unmeantAlternatives(errors),
    ...consequencesOfWrongTypes(errors),
  ]);
  const remaining = errors.filter((e) => !dropped.has(e));
  const typos = missingKeysExplainedByTypos(remaining);
  return remaining.filter((e) => !typos.has(e));
}

/**
 * ajv reports every alternative of a `oneOf`. The user meant the alternative whose type matches
 * the data (a list, or a map): keep its errors only. When no alternative's type matches, keep
 * only the `oneOf` error, which is explained as "expected X or Y".
 */
function unmeantAlternatives(errors: ErrorObject[]): ErrorObject[] {
  return errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .flatMap((choice) => {
      const byBranch = new Map<string, ErrorObject[]>();
      for (const error of errors) {
        if (!error.schemaPath.startsWith(`${choice.schemaPath}/`)) continue;
        const branch = /^\/(\d+)\//.exec(error.schemaPath.slice(choice.schemaPath.length))?.[1] ?? '';
        byBranch.set(branch, [...(byBranch.get(branch) ?? []), error]);
      }
      const meant = [...byBranch].find(([branch, list]) => !list.some((e) => e.schemaPath === `${choice.schemaPath}/${branch}/type`));
      const others = [...byBranch].filter(([branch]) => branch !== meant?.[0]).flatMap(([, list]) => list);
      return meant === undefined ? others : [choice, ...others];
    });
}

/** A value of the wrong type also fails its pattern, enum and limits; the type error says it all. */
function consequencesOfWrongTypes(errors: ErrorObject[]): ErrorObject[] {
  return errors
    .filter((e) => e.keyword === 'type')
    .flatMap((typeError) => {
      const schema = typeError.schemaPath.slice(0, -'/type'.length);
      return errors.filter((e) => e !== typeError && e.instancePath === typeError.instancePath && e.schemaPath === `${schema}/${e.keyword}`);
    });
}

/** A misspelt key also makes the real key "missing"; the typo's "did you mean" already says so. */
function missingKeysExplainedByTypos(errors: ErrorObject[]): Set<ErrorObject> {
  const typos = errors.filter((e) => e.keyword === 'additionalProperties');
  return new Set(
    errors.filter(
      (e) =>
        e.keyword === 'required' &&
        typos.some((t) => t.instancePath === e.instancePath && closestName(String(t.params.additionalProperty), [String(e.params.missingProperty)]) !== undefined),
    ),
  );
}

function unique(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.col}:${d.path}:${d.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map (key: value)',
  null: 'nothing',
};

function describeTypes(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(',');
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value === 'number') return Number.isInteger(value) ? `a number (${value})` : `a decimal number (${value})`;
  return `a ${typeof value} (${String(value)})`;
}

/** A valid name resembling the given text, to make the fix obvious (`Web Server` -> `web-server`). */
function nameLike(text: string): string | undefined {
  const candidate = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 24).replace(/-+$/, '');
  return new RegExp(NAME_PATTERN).test(candidate) ? candidate : undefined;
}
