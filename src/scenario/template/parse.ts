/**
 * The template parser: text with `{{ expr }}` parts → literal text and expression trees. Runs once,
 * at load time; rendering never parses. A hand-written scanner with exact offsets, no regular
 * expressions, and a bounded nesting depth, so any input either parses or throws a TemplateError.
 *
 * Grammar (whitespace allowed between tokens):
 *   template := ( text | '\{{' | '{{' expr '}}' )*
 *   expr     := string | number | 'true' | 'false' | 'null' | call | ref
 *   call     := name ( '.' name )* '(' [ expr ( ',' expr )* ] ')'
 *   ref      := name ( '.' name | '[' integer ']' | '[' string ']' )*
 *   name     := [A-Za-z_$] [A-Za-z0-9_$]*
 *   string   := '…' | "…"  with JSON's escapes (\\ \" \/ \b \f \n \r \t \uXXXX) and \'
 *   number   := '-'? digits ( '.' digits )? ( [eE] [+-]? digits )?
 */
import type { Expr } from '../plan.js';
import { RenderError, TemplateError } from './errors.js';
import { BUILTINS } from './functions.js';
import { suggest } from './suggest.js';

/** The parse of a template source: what `compileTemplate` freezes into a Template. */
export interface ParsedTemplate {
  readonly parts: (string | Expr)[];
  readonly single: boolean;
}

/** Deepest nesting of calls inside calls; deeper input is rejected rather than overflowing the stack. */
export const MAX_DEPTH = 32;

interface Cursor {
  readonly src: string;
  pos: number;
}

function fail(c: Cursor, message: string, offset = c.pos): never {
  throw new TemplateError(message, c.src, offset);
}

function found(c: Cursor): string {
  if (c.pos >= c.src.length) return 'the end of the template';
  if (c.src.startsWith('}}', c.pos)) return '"}}"';
  return JSON.stringify(c.src[c.pos]);
}

function isNameStart(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || ch === '$');
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function isNamePart(ch: string | undefined): boolean {
  return isNameStart(ch) || isDigit(ch);
}

function skipSpace(c: Cursor): void {
  for (;;) {
    const ch = c.src[c.pos];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') c.pos++;
    else return;
  }
}

/** Parses a whole template source. */
export function parseTemplate(source: string): ParsedTemplate {
  const c: Cursor = { src: source, pos: 0 };
  const parts: (string | Expr)[] = [];
  let text = '';
  while (c.pos < source.length) {
    const open = source.indexOf('{{', c.pos);
    if (open < 0) {
      text += source.slice(c.pos);
      break;
    }
    if (open > 0 && source[open - 1] === '\\') {
      // `\{{` is a literal `{{`: drop the backslash, keep the braces as text.
      text += source.slice(c.pos, open - 1) + '{{';
      c.pos = open + 2;
      continue;
    }
    text += source.slice(c.pos, open);
    if (text !== '') parts.push(text);
    text = '';
    c.pos = open + 2;
    skipSpace(c);
    if (source.startsWith('}}', c.pos)) fail(c, 'empty template: write an expression between {{ and }}', open);
    if (c.pos >= source.length) fail(c, 'unclosed {{: expected an expression and }}', open);
    parts.push(parseExpr(c, 0));
    skipSpace(c);
    if (!source.startsWith('}}', c.pos)) {
      if (c.pos >= source.length) fail(c, 'unclosed {{: expected }}');
      fail(c, `expected }} to close the template, found ${found(c)}`);
    }
    c.pos += 2;
  }
  if (text !== '') parts.push(text);
  const single = parts.length === 1 && typeof parts[0] !== 'string';
  return { parts, single };
}

function parseExpr(c: Cursor, depth: number): Expr {
  if (depth > MAX_DEPTH) fail(c, `expression nested deeper than ${MAX_DEPTH} calls`);
  skipSpace(c);
  const ch = c.src[c.pos];
  if (ch === '"' || ch === "'") return { kind: 'lit', value: parseString(c) };
  if (isDigit(ch) || (ch === '-' && isDigit(c.src[c.pos + 1]))) return { kind: 'lit', value: parseNumber(c) };
  if (!isNameStart(ch)) {
    fail(c, `expected a value, a variable or a function call, found ${found(c)}`);
  }
  const start = c.pos;
  const first = parseName(c);
  if (first === 'true' || first === 'false' || first === 'null') {
    return { kind: 'lit', value: first === 'null' ? null : first === 'true' };
  }
  const path: (string | number)[] = [];
  let dottedOnly = true;
  for (;;) {
    skipSpace(c);
    const next = c.src[c.pos];
    if (next === '.') {
      c.pos++;
      skipSpace(c);
      if (!isNameStart(c.src[c.pos])) fail(c, `expected a name after ".", found ${found(c)}`);
      path.push(parseName(c));
    } else if (next === '[') {
      dottedOnly = false;
      c.pos++;
      skipSpace(c);
      const k = c.src[c.pos];
      if (k === '"' || k === "'") path.push(parseString(c));
      else if (isDigit(k) || k === '-') path.push(parseIndex(c));
      else fail(c, `expected an index such as [0] or a key such as ["name"], found ${found(c)}`);
      skipSpace(c);
      if (c.src[c.pos] !== ']') fail(c, `expected ] after the index, found ${found(c)}`);
      c.pos++;
    } else if (next === '(') {
      if (!dottedOnly) fail(c, 'only a function name can be called, not an indexed value');
      const fn = [first, ...(path as string[])].join('.');
      return parseCall(c, fn, start, depth);
    } else {
      return { kind: 'ref', root: first, path };
    }
  }
}

function parseCall(c: Cursor, fn: string, start: number, depth: number): Expr {
  const builtin = BUILTINS.get(fn);
  if (!builtin) {
    const hint = suggest(fn);
    fail(c, `unknown function ${fn}()${hint ? `: did you mean ${hint}()?` : ''}`, start);
  }
  c.pos++; // (
  const args: Expr[] = [];
  skipSpace(c);
  if (c.src[c.pos] === ')') {
    c.pos++;
  } else {
    for (;;) {
      args.push(parseExpr(c, depth + 1));
      skipSpace(c);
      const sep = c.src[c.pos];
      if (sep === ',') {
        c.pos++;
        continue;
      }
      if (sep === ')') {
        c.pos++;
        break;
      }
      fail(c, `expected , or ) in the arguments of ${fn}(), found ${found(c)}`);
    }
  }
  if (args.length < builtin.min || args.length > builtin.max) {
    fail(c, `${fn}() takes ${arity(builtin.min, builtin.max)}, got ${args.length}`, start);
  }
  checkLiteralArgs(c, fn, args, start);
  const after = c.src[skipSpaceAt(c.src, c.pos)];
  if (after === '.' || after === '[') fail(c, `the result of ${fn}() cannot be indexed`, skipSpaceAt(c.src, c.pos));
  return { kind: 'call', fn, args };
}

/** Random and time values for a trial call: validation does not depend on them. */
const PROBE_SCOPE = { lookup: (): undefined => undefined, random: (): number => 0, now: (): number => 0 };

/**
 * When every argument is a literal, runs the built-in once so that `random.int(5, 1)` or
 * `length(3)` fails at load time with the same message it would give at run time.
 */
function checkLiteralArgs(c: Cursor, fn: string, args: readonly Expr[], start: number): void {
  const values: unknown[] = [];
  for (const a of args) {
    if (a.kind !== 'lit') return;
    values.push(a.value);
  }
  try {
    BUILTINS.get(fn)?.impl(values, PROBE_SCOPE);
  } catch (err) {
    if (err instanceof RenderError) fail(c, err.message, start);
    throw err;
  }
}

function skipSpaceAt(src: string, pos: number): number {
  const c: Cursor = { src, pos };
  skipSpace(c);
  return c.pos;
}

function arity(min: number, max: number): string {
  const n = (k: number): string => `${k} argument${k === 1 ? '' : 's'}`;
  if (min === max) return n(min);
  if (max === Infinity) return `at least ${n(min)}`;
  return `${min} to ${max} arguments`;
}

function parseName(c: Cursor): string {
  const start = c.pos;
  while (isNamePart(c.src[c.pos])) c.pos++;
  return c.src.slice(start, c.pos);
}

function parseIndex(c: Cursor): number {
  const start = c.pos;
  if (c.src[c.pos] === '-') c.pos++;
  if (!isDigit(c.src[c.pos])) fail(c, `expected digits in the index, found ${found(c)}`);
  while (isDigit(c.src[c.pos])) c.pos++;
  const n = Number(c.src.slice(start, c.pos));
  if (!Number.isSafeInteger(n)) fail(c, 'index is too large', start);
  return n;
}

function parseNumber(c: Cursor): number {
  const start = c.pos;
  if (c.src[c.pos] === '-') c.pos++;
  while (isDigit(c.src[c.pos])) c.pos++;
  if (c.src[c.pos] === '.') {
    c.pos++;
    if (!isDigit(c.src[c.pos])) fail(c, `expected a digit after the decimal point, found ${found(c)}`);
    while (isDigit(c.src[c.pos])) c.pos++;
  }
  const e = c.src[c.pos];
  if (e === 'e' || e === 'E') {
    c.pos++;
    const sign = c.src[c.pos];
    if (sign === '+' || sign === '-') c.pos++;
    if (!isDigit(c.src[c.pos])) fail(c, `expected the exponent's digits, found ${found(c)}`);
    while (isDigit(c.src[c.pos])) c.pos++;
  }
  if (isNameStart(c.src[c.pos])) fail(c, `unexpected ${found(c)} after the number ${c.src.slice(start, c.pos)}`);
  const n = Number(c.src.slice(start, c.pos));
  if (!Number.isFinite(n)) fail(c, 'number is too large', start);
  return n;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '/': '/',
};

function parseString(c: Cursor): string {
  const start = c.pos;
  const quote = c.src[c.pos];
  c.pos++;
  let out = '';
  for (;;) {
    const ch = c.src[c.pos];
    if (ch === undefined) fail(c, `unterminated string: expected a closing ${quote}`, start);
    if (ch === quote) {
      c.pos++;
      return out;
    }
    if (ch === '\\') {
      const esc = c.src[c.pos + 1];
      if (esc === 'u') {
        const hex = c.src.slice(c.pos + 2, c.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(c, 'expected 4 hex digits after \\u');
        out += String.fromCharCode(parseInt(hex, 16));
        c.pos += 6;
        continue;
      }
      const rep = esc === undefined || !Object.hasOwn(ESCAPES, esc) ? undefined : ESCAPES[esc];
      if (rep === undefined) fail(c, `unknown escape \\${esc ?? ''} in a string (use \\\\ for a backslash)`);
      out += rep;
      c.pos += 2;
      continue;
    }
    out += ch;
    c.pos++;
  }
}
