// YAML text -> a document that remembers where every value came from, so that any problem found
// later (by the schema, the checks, interpolation) can be reported at file:line:col.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { DocLocation } from './doc-path.js';
import { formatPath } from './doc-path.js';
import { TopologyError } from './errors.js';
import type { Diagnostic } from './types.js';

export class SourceDocument {
  private constructor(
    readonly file: string,
    readonly document: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parses one YAML document. Syntax errors, duplicate keys and extra documents throw TopologyError. */
  static parse(text: string, file: string): SourceDocument {
    const lines = new LineCounter();
    // uniqueKeys: a repeated key silently overriding the first is a classic lab-config bug.
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new SourceDocument(file, document, lines);
    // After the first real syntax error the parser is out of step and the rest is noise;
    // duplicate keys do not derail it, so all of those are worth reporting.
    const duplicates = document.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    const firstOther = [...document.errors, ...document.warnings].find((e) => e.code !== 'DUPLICATE_KEY');
    const problems = firstOther === undefined ? duplicates : [...duplicates, firstOther];
    if (problems.length > 0) throw new TopologyError(problems.map((p) => source.syntaxDiagnostic(p, text)));
    return source;
  }

  /** The document as plain data: maps become objects, sequences arrays. */
  data(): unknown {
    return this.document.toJS();
  }

  diagnostic(location: DocLocation, message: string, hint?: string): Diagnostic {
    const { line, col } = this.locate(location);
    return { file: this.file, line, col, path: formatPath(location.path), message, ...(hint === undefined ? {} : { hint }) };
  }

  /**
   * 1-based line:col of a value (or of its key). Where the path leaves the document (a missing
   * key, an empty value) this is the deepest part that exists: the key whose value is missing,
   * or the map that lacks a required key.
   */
  locate(location: DocLocation): { line: number; col: number } {
    let node: unknown = this.document.contents;
    let offset = startOf(node) ?? 0;
    for (const [i, segment] of location.path.entries()) {
      if (isAlias(node)) node = node.resolve(this.document);
      const isLast = i === location.path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        const keyOffset = startOf(pair.key) ?? offset;
        const valueOffset = isEmpty(pair.value) ? undefined : startOf(pair.value);
        offset = isLast && location.onKey ? keyOffset : (valueOffset ?? keyOffset);
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        node = node.items[segment];
        offset = startOf(node) ?? offset;
      } else {
        break;
      }
    }
    return this.lines.linePos(offset);
  }

  private syntaxDiagnostic(error: YAMLError, text: string): Diagnostic {
    const { line, col } = this.lines.linePos(error.pos[0]);
    const diagnostic = { file: this.file, line, col, path: '' };
    switch (error.code) {
      case 'DUPLICATE_KEY': {
        // The error spans only the key's first character; the key runs up to its colon.
        const found = /^("[^"]*"|'[^']*'|[^:\n]*?)\s*:/.exec(text.slice(error.pos[0]))?.[1] ?? '';
        return {
          ...diagnostic,
          message: `duplicate key "${found}"; a key may appear only once in the same map`,
          hint: `remove or rename one of the "${found}" entries`,
        };
      }
      case 'MULTIPLE_DOCS':
        return {
          ...diagnostic,
          message: 'expected one YAML document, found a second one after `---`',
          hint: 'keep one lab per file: remove the `---` line and what follows, or move it to its own file',
        };
      default: {
        const message = `YAML syntax error: ${error.message}`;
        // `{` is a flow indicator, so an unquoted `${VAR}` inside `{ }` or `[ ]` breaks the line.
        const brokenReference = text.slice(error.pos[0] - 1, error.pos[0] + 1) === '${';
        return brokenReference ? { ...diagnostic, message, hint: 'inside `{ }` or `[ ]`, quote variable references: "${VAR}"' } : { ...diagnostic, message };
      }
    }
  }
}

function startOf(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

/** `key:` with nothing after it parses as an empty null scalar, whose position is meaningless. */
function isEmpty(node: unknown): boolean {
  return node === null || (isScalar(node) && node.value === null && node.source === '');
}
