import type { Diagnostic } from './types.js';

/** `file:line:col path: message`, then the fix on an indented line, as compilers print it. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  const head = d.path === '' ? `${where} ${d.message}` : `${where} ${d.path}: ${d.message}`;
  return d.hint === undefined ? head : `${head}\n    fix: ${d.hint}`;
}

/** Orders diagnostics as the file reads, so the first one printed is the first one met. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** A topology file that cannot be used, with every problem found in it located in the file. */
export class TopologyError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    const sorted = sortDiagnostics(diagnostics);
    super(sorted.map(formatDiagnostic).join('\n'));
    this.name = 'TopologyError';
    this.diagnostics = sorted;
  }

  format(): string {
    return this.message;
  }
}

/**
 * A valid topology that cannot be laid out on this Docker host (subnet clashes with another
 * lab, pool exhausted, subnet too small). Raised by planning, which has no source positions.
 */
export class PlanError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'PlanError';
    this.hint = hint;
  }

  format(): string {
    return this.hint === undefined ? this.message : `${this.message}\n    fix: ${this.hint}`;
  }
}
