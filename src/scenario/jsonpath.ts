/**
 * JSON paths for captures and matchers: a small, documented subset of JSONPath.
 *
 *   path    := '$' segment*
 *   segment := '.' key | '.*' | '[' index ']' | '[*]' | '[' quoted ']'
 *   key     := one or more characters other than . [ ] and whitespace
 *   index   := '-'? digits         (negative counts from the end: [-1] is the last item)
 *   quoted  := '…' | "…"           (escapes \\ \' \"; any key, including . [ ] and spaces)
 *
 * `*` (also `['*']`) is a wildcard over a list's items or an object's values. Index segments
 * apply to lists only, key segments to objects only. Only own properties are read, so a key named
 * `__proto__` or `constructor` is just a key.
 */
import type { JsonPath } from './plan.js';
import { ERROR_CODES, RampartError } from '../errors.js';

/** A JSON path that does not parse. */
export class JsonPathError extends RampartError {
  /** 0-based index into the path source where the problem is. */
  readonly offset: number;
  readonly source: string;
  constructor(message: string, source: string, offset: number) {
    super(ERROR_CODES.SEMANTIC, message);
    this.name = 'JsonPathError';
    this.source = source;
    this.offset = offset;
  }
}

function fail(source: string, offset: number, message: string): never {
  throw new JsonPathError(`invalid JSON path ${JSON.stringify(source)}: ${message}`, source, offset);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

function found(source: string, i: number): string {
  return i >= source.length ? 'the end' : JSON.stringify(source[i]);
}

/**
 * Compiles a JSON path such as `$.items[0].id`, `$['a key']`, `$.items[*].id`, `$.list[-1]`.
 * @throws {JsonPathError} with `.offset` (0-based) when it does not parse
 */
export function compileJsonPath(source: string): JsonPath {
  if (typeof source !== 'string') throw new JsonPathError(`a JSON path must be a string, got ${typeof source}`, '', 0);
  if (source[0] !== '$') {
    const hint = source.length > 0 && !isSpace(source[0]) ? `; did you mean "$.${source.replace(/^\.+/, '')}"?` : '';
    fail(source, 0, `a JSON path starts with $ (e.g. $.id)${hint}`);
  }
  const segments: (string | number)[] = [];
  let i = 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '.') {
      i++;
      if (source[i] === '.') fail(source, i, 'recursive descent (..) is not supported; write the full path');
      const start = i;
      while (i < source.length && source[i] !== '.' && source[i] !== '[' && source[i] !== ']' && !isSpace(source[i])) i++;
      if (i === start) fail(source, i, `expected a key after ".", found ${found(source, i)}`);
      segments.push(source.slice(start, i));
    } else if (ch === '[') {
      i++;
      while (isSpace(source[i])) i++;
      const k = source[i];
      if (k === '*') {
        segments.push('*');
        i++;
      } else if (k === '"' || k === "'") {
        const r = readQuoted(source, i);
        segments.push(r.value);
        i = r.end;
      } else if (isDigit(k) || k === '-') {
        const start = i;
        if (k === '-') i++;
        if (!isDigit(source[i])) fail(source, i, `expected digits, found ${found(source, i)}`);
        while (isDigit(source[i])) i++;
        const n = Number(source.slice(start, i));
        if (!Number.isSafeInteger(n)) fail(source, start, 'index is too large');
        segments.push(n === 0 ? 0 : n); // no -0
      } else {
        fail(source, i, `expected an index, * or a quoted key inside [ ], found ${found(source, i)}`);
      }
      while (isSpace(source[i])) i++;
      if (source[i] !== ']') fail(source, i, `expected ], found ${found(source, i)}`);
      i++;
    } else {
      fail(source, i, `expected . or [ , found ${found(source, i)}`);
    }
  }
  return Object.freeze({ source, segments: Object.freeze(segments) });
}

function readQuoted(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let i = start + 1;
  let out = '';
  for (;;) {
    const ch = source[i];
    if (ch === undefined) fail(source, start, `unterminated quoted key: expected a closing ${quote}`);
    if (ch === quote) return { value: out, end: i + 1 };
    if (ch === '\\') {
      const esc = source[i + 1];
      if (esc !== '\\' && esc !== '"' && esc !== "'") fail(source, i, 'only \\\\, \\\' and \\" are escapes in a quoted key');
      out += esc;
      i += 2;
      continue;
    }
    out += ch;
    i++;
  }
}

/** The value of `seg` in `node`, or undefined (own properties only; lists by index). */
function step(node: unknown, seg: string | number): unknown {
  if (node === null || typeof node !== 'object') return undefined;
  if (typeof seg === 'number') {
    if (!Array.isArray(node)) return undefined;
    const idx = seg < 0 ? node.length + seg : seg;
    return idx >= 0 && idx < node.length ? node[idx] : undefined;
  }
  if (Array.isArray(node) || !Object.hasOwn(node, seg)) return undefined;
  return (node as Record<string, unknown>)[seg];
}

/** The children a wildcard visits: list items, or an object's own enumerable values. */
function children(node: unknown): readonly unknown[] {
  if (Array.isArray(node)) return node;
  if (node !== null && typeof node === 'object') return Object.values(node);
  return [];
}

/**
 * The first value the path matches in `doc` (document order), or undefined when none does.
 * `$` alone is the document itself. A matched JSON `null` is returned as null.
 */
export function queryJsonPath(p: JsonPath, doc: unknown): unknown {
  return first(p.segments, 0, doc);
}

function first(segments: readonly (string | number)[], from: number, node: unknown): unknown {
  let cur = node;
  for (let i = from; i < segments.length; i++) {
    const seg = segments[i] as string | number;
    if (seg === '*') {
      for (const child of children(cur)) {
        const r = first(segments, i + 1, child);
        if (r !== undefined) return r;
      }
      return undefined;
    }
    cur = step(cur, seg);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Every value the path matches in `doc`, in document order (empty when none). */
export function queryJsonPathAll(p: JsonPath, doc: unknown): unknown[] {
  const out: unknown[] = [];
  all(p.segments, 0, doc, out);
  return out;
}

function all(segments: readonly (string | number)[], from: number, node: unknown, out: unknown[]): void {
  let cur = node;
  for (let i = from; i < segments.length; i++) {
    const seg = segments[i] as string | number;
    if (seg === '*') {
      for (const child of children(cur)) all(segments, i + 1, child, out);
      return;
    }
    cur = step(cur, seg);
    if (cur === undefined) return;
  }
  out.push(cur);
}
