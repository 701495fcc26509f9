// A small, safe arithmetic language for `expect:` (no eval): numbers, + - * / ^, parentheses,
// min/max/ceil/floor/sqrt/log2, lru_hit (cache-model.ts), and names looked up in a table (params.objects,
// networks.wan.delay, …). `${params.x}` is accepted too, as the examples write it.

import { lruHitRatio } from './cache-model.js';

export class ExpressionError extends Error {}

type Token = { kind: 'num'; value: number } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

const FUNCTIONS: Record<string, (...args: number[]) => number> = {
  min: Math.min,
  max: Math.max,
  ceil: Math.ceil,
  floor: Math.floor,
  sqrt: Math.sqrt,
  log2: Math.log2,
  lru_hit: (...a: number[]) => {
    if (a.length !== 3) throw new Error(`lru_hit(alpha, n, c) takes 3 arguments, found ${a.length}`);
    return lruHitRatio(a[0]!, a[1]!, a[2]!);
  },
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const source = text.replace(/\$\{([^}]*)\}/g, '$1');
  const re = /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_.-]*)|(\*\*|[-+*/^(),]))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(source);
    if (!m) throw new ExpressionError(`unexpected "${source.slice(at).trim()[0]}" at position ${at + 1} of "${text}"`);
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'name', value: m[2] });
    else tokens.push({ kind: 'op', value: m[3] === '**' ? '^' : m[3]! });
    at = re.lastIndex;
  }
  return tokens;
}

export function evaluate(text: string, names: Record<string, number>): number {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = (op: string) => {
    const t = tokens[i];
    if (t?.kind === 'op' && t.value === op) {
      i++;
      return true;
    }
    return false;
  };
  // expr := term (('+'|'-') term)* ; term := power (('*'|'/') power)* ; power := unary ('^' power)?
  const expr = (): number => {
    let v = term();
    for (;;) {
      if (take('+')) v += term();
      else if (take('-')) v -= term();
      else return v;
    }
  };
  const term = (): number => {
    let v = power();
    for (;;) {
      if (take('*')) v *= power();
      else if (take('/')) v /= power();
      else return v;
    }
  };
  const power = (): number => {
    const base = unary();
    return take('^') ? base ** power() : base;
  };
  const unary = (): number => (take('-') ? -unary() : take('+') ? unary() : atom());
  const atom = (): number => {
    const t = peek();
    if (t === undefined) throw new ExpressionError(`"${text}" ends too early`);
    i++;
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op' && t.value === '(') {
      const v = expr();
      if (!take(')')) throw new ExpressionError(`missing ")" in "${text}"`);
      return v;
    }
    if (t.kind === 'name' && take('(')) {
      const fn = FUNCTIONS[t.value];
      if (!fn) throw new ExpressionError(`unknown function ${t.value}() in "${text}"; known: ${Object.keys(FUNCTIONS).join(', ')}`);
      const args = [expr()];
      while (take(',')) args.push(expr());
      if (!take(')')) throw new ExpressionError(`missing ")" after the arguments of ${t.value} in "${text}"`);
      try {
        return fn(...args);
      } catch (e) {
        throw new ExpressionError(`${e instanceof Error ? e.message : String(e)} (in "${text}")`);
      }
    }
    if (t.kind === 'name') {
      const v = names[t.value];
      if (v === undefined) throw new ExpressionError(`unknown name "${t.value}" in "${text}"; known: ${Object.keys(names).sort().join(', ')}`);
      return v;
    }
    throw new ExpressionError(`unexpected "${t.value}" in "${text}"`);
  };
  const value = expr();
  if (i < tokens.length) throw new ExpressionError(`unexpected "${String(tokens[i]!.value)}" in "${text}"`);
  return value;
}
