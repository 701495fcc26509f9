// RFC 1035 §5 master files, as BIND reads them: $ORIGIN and $TTL, `@`, relative names, an
// empty owner meaning "the previous one", TTL and class in either order, parentheses across
// lines, `;` comments, quoted strings. Pure: text in, records with their line:col out.
import { absoluteName, canonicalZone } from './names.js';

export interface MasterRecord {
  owner: string;
  ttl: number;
  type: string;
  /** The RDATA fields (quoted strings unquoted). */
  fields: string[];
  /** $ORIGIN where the record was written: relative names in its data are relative to it. */
  origin: string;
  line: number;
  col: number;
}

export class MasterFileError extends Error {
  constructor(readonly line: number, readonly col: number, message: string) {
    super(message);
  }
}

interface Token { text: string; quoted: boolean; line: number; col: number }
interface Entry { tokens: Token[]; ownerBlank: boolean; line: number }

/** Splits into logical entries: one per line, or across lines inside parentheses. */
function entries(text: string): Entry[] {
  const out: Entry[] = [];
  let current: Entry | undefined;
  let depth = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (depth === 0) current = { tokens: [], ownerBlank: /^[ \t]/.test(raw), line };
    for (let at = 0; at < raw.length; ) {
      const c = raw[at]!;
      if (c === ';') break;
      if (c === ' ' || c === '\t') { at++; continue; }
      if (c === '(') { depth++; at++; continue; }
      if (c === ')') {
        if (depth === 0) throw new MasterFileError(line, at + 1, '")" without "("');
        depth--; at++; continue;
      }
      if (c === '"') {
        let end = at + 1;
        let value = '';
        while (end < raw.length && raw[end] !== '"') {
          if (raw[end] === '\\' && end + 1 < raw.length) end++;
          value += raw[end];
          end++;
        }
        if (end >= raw.length) throw new MasterFileError(line, at + 1, 'a quoted string is not closed on its line');
        current!.tokens.push({ text: value, quoted: true, line, col: at + 1 });
        at = end + 1;
        continue;
      }
      let end = at;
      while (end < raw.length && !' \t;()"'.includes(raw[end]!)) end++;
      current!.tokens.push({ text: raw.slice(at, end), quoted: false, line, col: at + 1 });
      at = end;
    }
    if (depth === 0 && current && current.tokens.length > 0) out.push(current);
  });
  if (depth > 0) throw new MasterFileError(lines.length, 1, '"(" is never closed');
  return out;
}

const isTtl = (t: string) => /^\d+$/.test(t);
const CLASSES = new Set(['IN', 'CH', 'HS', 'CS']);

/** Parses a zone's master file; `origin` is the zone, `defaultTtl` applies until a $TTL. */
export function parseMasterFile(text: string, origin: string, defaultTtl: number): MasterRecord[] {
  let currentOrigin = canonicalZone(origin);
  let ttl = defaultTtl;
  let previousOwner: string | undefined;
  const records: MasterRecord[] = [];
  for (const entry of entries(text)) {
    const [first, ...rest] = entry.tokens;
    if (!first) continue;
    if (!first.quoted && first.text.startsWith('$')) {
      const directive = first.text.toUpperCase();
      const arg = rest[0];
      if (directive === '$ORIGIN' && arg) currentOrigin = canonicalZone(absoluteName(arg.text, currentOrigin));
      else if (directive === '$TTL' && arg && isTtl(arg.text)) ttl = Number(arg.text);
      else throw new MasterFileError(first.line, first.col, `${first.text} is not supported here (expected $ORIGIN NAME or $TTL SECONDS)`);
      continue;
    }
    let tokens = entry.tokens;
    let owner = previousOwner;
    if (!entry.ownerBlank) {
      owner = absoluteName(first.text, currentOrigin);
      tokens = rest;
    }
    if (owner === undefined) throw new MasterFileError(entry.line, 1, 'the first record has no owner name (a line starting with a blank reuses the previous owner)');
    previousOwner = owner;
    let recordTtl = ttl;
    // TTL and class may come in either order before the type.
    for (let i = 0; i < 2 && tokens[0] && !tokens[0].quoted; i++) {
      const t = tokens[0].text;
      if (isTtl(t)) recordTtl = Number(t);
      else if (CLASSES.has(t.toUpperCase())) {
        if (t.toUpperCase() !== 'IN') throw new MasterFileError(tokens[0].line, tokens[0].col, `class ${t} is not served; lab zones are class IN`);
      } else break;
      tokens = tokens.slice(1);
    }
    const type = tokens[0];
    if (!type || type.quoted) throw new MasterFileError(entry.line, entry.tokens[0]!.col, `expected a record type after "${owner}"`);
    const fields = tokens.slice(1);
    if (fields.length === 0) throw new MasterFileError(type.line, type.col, `${type.text.toUpperCase()} record of ${owner} has no data`);
    records.push({ owner, ttl: recordTtl, type: type.text.toUpperCase(), fields: fields.map((f) => f.text), origin: currentOrigin, line: type.line, col: type.col });
  }
  return records;
}
