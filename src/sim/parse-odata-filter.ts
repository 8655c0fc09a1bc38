import { GraphApiError } from './graph-api-error.js';

export type FilterLiteral =
  | { type: 'string'; value: string }
  | { type: 'date'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' };

export type CompareOp = 'eq' | 'ne' | 'ge' | 'gt' | 'le' | 'lt';

export type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | { kind: 'compare'; op: CompareOp; path: string[]; value: FilterLiteral }
  | { kind: 'startswith'; path: string[]; value: string }
  | { kind: 'any'; path: string[]; variable: string; predicate: FilterExpr };

type Token =
  | { t: 'str'; v: string }
  | { t: 'lit'; v: string }
  | { t: 'word'; v: string }
  | { t: 'punct'; v: '(' | ')' | ',' | ':' };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'ge', 'gt', 'le', 'lt']);

function invalid(detail: string): GraphApiError {
  return GraphApiError.badRequest(`Invalid filter clause: ${detail}`, 'BadRequest');
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw invalid('unterminated string literal.');
        const d = text.charAt(i);
        if (d === "'") {
          if (text.charAt(i + 1) === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += d;
        i++;
      }
      tokens.push({ t: 'str', v: value });
    } else if (c === '(' || c === ')' || c === ',' || c === ':') {
      tokens.push({ t: 'punct', v: c });
      i++;
    } else if (/[0-9-]/.test(c)) {
      const m = /^[0-9A-Za-z:.+-]+/.exec(text.slice(i));
      const v = m?.[0] ?? c;
      tokens.push({ t: 'lit', v });
      i += v.length;
    } else if (/[A-Za-z_$@]/.test(c)) {
      const m = /^[A-Za-z0-9_$@./]+/.exec(text.slice(i));
      const v = m?.[0] ?? c;
      tokens.push({ t: 'word', v });
      i += v.length;
    } else {
      throw invalid(`unexpected character '${c}'.`);
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterExpr {
    const expr = this.or();
    if (this.pos < this.tokens.length) throw invalid('unexpected trailing input.');
    return expr;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private take(): Token {
    const token = this.tokens[this.pos++];
    if (!token) throw invalid('unexpected end of expression.');
    return token;
  }

  private isWord(value: string): boolean {
    const token = this.peek();
    return token?.t === 'word' && token.v.toLowerCase() === value;
  }

  private expectPunct(value: string): void {
    const token = this.take();
    if (token.t !== 'punct' || token.v !== value) throw invalid(`expected '${value}'.`);
  }

  private or(): FilterExpr {
    let left = this.and();
    while (this.isWord('or')) {
      this.pos++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterExpr {
    let left = this.unary();
    while (this.isWord('and')) {
      this.pos++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterExpr {
    if (this.isWord('not')) {
      this.pos++;
      return { kind: 'not', expr: this.unary() };
    }
    return this.primary();
  }

  private primary(): FilterExpr {
    const token = this.take();
    if (token.t === 'punct' && token.v === '(') {
      const inner = this.or();
      this.expectPunct(')');
      return inner;
    }
    if (token.t !== 'word') throw invalid('expected a property name.');
    const next = this.peek();
    if (token.v.toLowerCase() === 'startswith' && next?.t === 'punct' && next.v === '(') {
      this.pos++;
      const path = this.take();
      if (path.t !== 'word') throw invalid('startswith needs a property name.');
      this.expectPunct(',');
      const value = this.take();
      if (value.t !== 'str') throw invalid('startswith needs a string literal.');
      this.expectPunct(')');
      return { kind: 'startswith', path: path.v.split('/'), value: value.v };
    }
    const segments = token.v.split('/');
    if (segments.length > 1 && segments.at(-1)?.toLowerCase() === 'any') {
      this.expectPunct('(');
      const variable = this.take();
      if (variable.t !== 'word' || variable.v.includes('/'))
        throw invalid('expected a lambda variable.');
      this.expectPunct(':');
      const predicate = this.or();
      this.expectPunct(')');
      return { kind: 'any', path: segments.slice(0, -1), variable: variable.v, predicate };
    }
    const op = this.take();
    if (op.t !== 'word' || !COMPARE_OPS.has(op.v.toLowerCase())) {
      throw invalid(`unsupported operator after '${token.v}'.`);
    }
    return {
      kind: 'compare',
      op: op.v.toLowerCase() as CompareOp,
      path: segments,
      value: this.literal(),
    };
  }

  private literal(): FilterLiteral {
    const token = this.take();
    if (token.t === 'str') return { type: 'string', value: token.v };
    if (token.t === 'lit') {
      if (ISO_DATE.test(token.v) && !Number.isNaN(Date.parse(token.v))) {
        return { type: 'date', value: token.v };
      }
      const n = Number(token.v);
      if (Number.isFinite(n)) return { type: 'number', value: n };
      throw invalid(`unrecognised literal '${token.v}'.`);
    }
    if (token.t === 'word') {
      const w = token.v.toLowerCase();
      if (w === 'true' || w === 'false') return { type: 'boolean', value: w === 'true' };
      if (w === 'null') return { type: 'null' };
    }
    throw invalid('expected a literal value.');
  }
}

/** Parses the subset of OData `$filter` Graph's directory endpoints accept; throws a Graph 400. */
export function parseODataFilter(text: string): FilterExpr {
  if (text.trim() === '') throw invalid('empty expression.');
  return new Parser(tokenize(text)).parse();
}

/** Every property path the filter reads, lambda bodies prefixed with their collection. */
export function filterPaths(expr: FilterExpr, prefix: string[] = [], variable?: string): string[] {
  const resolve = (path: string[]): string =>
    (variable !== undefined && path[0] === variable ? [...prefix, ...path.slice(1)] : path).join(
      '/',
    );
  switch (expr.kind) {
    case 'and':
    case 'or':
      return [
        ...filterPaths(expr.left, prefix, variable),
        ...filterPaths(expr.right, prefix, variable),
      ];
    case 'not':
      return filterPaths(expr.expr, prefix, variable);
    case 'compare':
    case 'startswith':
      return [resolve(expr.path)];
    case 'any':
      return filterPaths(expr.predicate, expr.path, expr.variable);
  }
}

function lookup(value: unknown, path: string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    const record = current as Record<string, unknown>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === segment.toLowerCase());
    current = key === undefined ? undefined : record[key];
  }
  return current;
}

function compare(actual: unknown, op: CompareOp, literal: FilterLiteral): boolean {
  if (literal.type === 'null') {
    const isNull = actual === null || actual === undefined;
    return op === 'eq' ? isNull : op === 'ne' ? !isNull : false;
  }
  let a: number | string | boolean;
  let b: number | string | boolean;
  if (literal.type === 'date') {
    if (typeof actual !== 'string') return op === 'ne';
    a = Date.parse(actual);
    b = Date.parse(literal.value);
  } else if (literal.type === 'string') {
    if (typeof actual !== 'string') return op === 'ne';
    a = actual.toLowerCase();
    b = literal.value.toLowerCase();
  } else {
    if (typeof actual !== typeof literal.value) return op === 'ne';
    a = actual as number | boolean;
    b = literal.value;
  }
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'ge':
      return a >= b;
    case 'gt':
      return a > b;
    case 'le':
      return a <= b;
    case 'lt':
      return a < b;
  }
}

export function evaluateFilter(
  expr: FilterExpr,
  item: unknown,
  scope: ReadonlyMap<string, unknown> = new Map(),
): boolean {
  const resolve = (path: string[]): unknown => {
    const [head, ...rest] = path;
    return head !== undefined && scope.has(head)
      ? lookup(scope.get(head), rest)
      : lookup(item, path);
  };
  switch (expr.kind) {
    case 'and':
      return evaluateFilter(expr.left, item, scope) && evaluateFilter(expr.right, item, scope);
    case 'or':
      return evaluateFilter(expr.left, item, scope) || evaluateFilter(expr.right, item, scope);
    case 'not':
      return !evaluateFilter(expr.expr, item, scope);
    case 'compare':
      return compare(resolve(expr.path), expr.op, expr.value);
    case 'startswith': {
      const actual = resolve(expr.path);
      return (
        typeof actual === 'string' && actual.toLowerCase().startsWith(expr.value.toLowerCase())
      );
    }
    case 'any': {
      const collection = resolve(expr.path);
      if (!Array.isArray(collection)) return false;
      return collection.some((element) =>
        evaluateFilter(expr.predicate, item, new Map([...scope, [expr.variable, element]])),
      );
    }
  }
}
