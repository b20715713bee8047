/**
 * The built-in functions of the template language. Each one is a plain function of its evaluated
 * arguments and the scope; none reads the environment, the clock or Math.random directly (time and
 * randomness come from the scope, so a seeded run repeats).
 */
import { Buffer } from 'node:buffer';
import { RenderError } from './errors.js';
import { toNumber, toText } from './coerce.js';
import type { Scope } from './scope.js';

/** A built-in: evaluated arguments in, a value out. Throws {@link RenderError} on unusable input. */
export type BuiltinImpl = (args: readonly unknown[], scope: Scope) => unknown;

/** A built-in's arity (`max` is Infinity for variadic ones) and its implementation. */
export interface Builtin {
  readonly min: number;
  readonly max: number;
  readonly impl: BuiltinImpl;
}

/** `random.string` without an alphabet draws from these 62 characters. */
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Longest `random.string` (characters): a typo must not allocate gigabytes. */
export const MAX_RANDOM_STRING = 1_048_576;

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function num(fn: string, value: unknown, what: string): number {
  const n = toNumber(value);
  if (n === undefined) throw new RenderError(`${fn}: ${what} must be a number, got ${describe(value)}`, fn);
  return n;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function randomInt(args: readonly unknown[], scope: Scope): number {
  const lo = Math.ceil(num('random.int', args[0], 'min'));
  const hi = Math.floor(num('random.int', args[1], 'max'));
  if (lo > hi) throw new RenderError(`random.int: min (${String(args[0])}) is greater than max (${String(args[1])})`, 'random.int');
  return lo + Math.floor(scope.random() * (hi - lo + 1));
}

function randomFloat(args: readonly unknown[], scope: Scope): number {
  const lo = num('random.float', args[0], 'min');
  const hi = num('random.float', args[1], 'max');
  if (lo > hi) throw new RenderError(`random.float: min (${lo}) is greater than max (${hi})`, 'random.float');
  return lo + scope.random() * (hi - lo);
}

function randomString(args: readonly unknown[], scope: Scope): string {
  const len = num('random.string', args[0], 'length');
  if (!Number.isInteger(len) || len < 0 || len > MAX_RANDOM_STRING) {
    throw new RenderError(`random.string: length must be a whole number from 0 to ${MAX_RANDOM_STRING}, got ${len}`, 'random.string');
  }
  let out = '';
  if (args.length < 2) {
    for (let i = 0; i < len; i++) out += ALNUM[Math.floor(scope.random() * ALNUM.length)];
    return out;
  }
  const alphabet = Array.from(toText(args[1]));
  if (alphabet.length === 0) throw new RenderError('random.string: the alphabet is empty', 'random.string');
  for (let i = 0; i < len; i++) out += alphabet[Math.floor(scope.random() * alphabet.length)];
  return out;
}

/** An RFC 4122 version 4 UUID whose 122 random bits come from the scope. */
function uuid(_args: readonly unknown[], scope: Scope): string {
  let out = '';
  for (let i = 0; i < 16; i++) {
    let byte = Math.floor(scope.random() * 256) & 0xff;
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[byte];
  }
  return out;
}

function randomPick(args: readonly unknown[], scope: Scope): unknown {
  let list: readonly unknown[] = args;
  if (args.length === 1) {
    const only = args[0];
    if (!Array.isArray(only)) {
      throw new RenderError(`random.pick: expected a list or several values, got ${describe(only)}`, 'random.pick');
    }
    list = only;
  }
  if (list.length === 0) throw new RenderError('random.pick: the list is empty', 'random.pick');
  return list[Math.floor(scope.random() * list.length)];
}

function randomBool(args: readonly unknown[], scope: Scope): boolean {
  const p = args.length === 0 ? 0.5 : num('random.bool', args[0], 'probability');
  if (p < 0 || p > 1) throw new RenderError(`random.bool: probability must be between 0 and 1, got ${p}`, 'random.bool');
  return scope.random() < p;
}

function length(args: readonly unknown[]): number {
  const x = args[0];
  if (typeof x === 'string' || Array.isArray(x)) return x.length;
  if (x !== null && typeof x === 'object') return Object.keys(x).length;
  throw new RenderError(`length: expected a string, a list or an object, got ${describe(x)}`, 'length');
}

function urlencode(args: readonly unknown[]): string {
  try {
    return encodeURIComponent(toText(args[0]));
  } catch {
    throw new RenderError('urlencode: the text contains an unpaired surrogate', 'urlencode');
  }
}

/**
 * Quotes every character a regular expression treats specially, so the text matches itself (the
 * syntax characters only: other escapes are errors under the `u` flag).
 */
function regexEscape(args: readonly unknown[]): string {
  return toText(args[0]).replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function json(args: readonly unknown[]): string {
  return JSON.stringify(args[0]) ?? 'null';
}

/**
 * Every built-in by name. `default(x, fallback)` is listed for its arity; the evaluator handles it
 * itself because an undefined `x` is not an error there.
 */
export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['random.int', { min: 2, max: 2, impl: randomInt }],
  ['random.float', { min: 2, max: 2, impl: randomFloat }],
  ['random.string', { min: 1, max: 2, impl: randomString }],
  ['random.uuid', { min: 0, max: 0, impl: uuid }],
  ['uuid', { min: 0, max: 0, impl: uuid }],
  ['random.pick', { min: 1, max: Infinity, impl: randomPick }],
  ['random.bool', { min: 0, max: 1, impl: randomBool }],
  ['now', { min: 0, max: 0, impl: (_a, scope) => scope.now() }],
  ['isoNow', { min: 0, max: 0, impl: (_a, scope) => new Date(scope.now()).toISOString() }],
  ['timestamp', { min: 0, max: 0, impl: (_a, scope) => Math.floor(scope.now() / 1000) }],
  ['base64', { min: 1, max: 1, impl: (a) => Buffer.from(toText(a[0]), 'utf8').toString('base64') }],
  ['base64decode', { min: 1, max: 1, impl: (a) => Buffer.from(toText(a[0]), 'base64').toString('utf8') }],
  ['urlencode', { min: 1, max: 1, impl: urlencode }],
  ['lower', { min: 1, max: 1, impl: (a) => toText(a[0]).toLowerCase() }],
  ['upper', { min: 1, max: 1, impl: (a) => toText(a[0]).toUpperCase() }],
  ['json', { min: 1, max: 1, impl: json }],
  ['regexEscape', { min: 1, max: 1, impl: regexEscape }],
  ['length', { min: 1, max: 1, impl: length }],
  ['default', { min: 2, max: 2, impl: (a) => (a[0] === undefined || a[0] === null ? a[1] : a[0]) }],
  ['concat', { min: 0, max: Infinity, impl: (a) => a.map(toText).join('') }],
]);

/** The names of all built-in functions, e.g. for a "did you mean" hint or the docs. */
export const KNOWN_FUNCTIONS: ReadonlySet<string> = new Set(BUILTINS.keys());
