/**
 * Reads scenario YAML safely: a size cap before parsing, core-schema tags only, no alias bombs, no
 * prototype keys, and environment interpolation on string values. Produces plain data built on
 * null-prototype objects plus the source position of every node (by JSON pointer).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { ERROR_CODES } from '../errors.js';
import type { Problem } from '../errors.js';
import { interpolateEnv, maskRefs } from './env.js';
import { escapePointer, Positions } from './positions.js';
import type { NodeRange } from './positions.js';

/** Scenario files larger than this are rejected before parsing (bytes). */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
/** Nodes that alias expansion may add in total before the document counts as an alias bomb. */
export const MAX_ALIAS_NODES = 10_000;
/** Collections nested deeper than this (mappings and lists, block or flow) are refused. */
export const MAX_NESTING = 100;

const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`).concat('!'));
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface ParsedSource {
  /** The document as plain data (null-prototype objects), after env interpolation; undefined when unparseable. */
  readonly value: unknown;
  readonly positions: Positions;
  readonly problems: readonly Problem[];
}

/** Thrown out of the conversion when nesting passes MAX_NESTING, at the collection that passed it. */
class TooDeep extends Error {
  constructor(
    readonly pointer: string,
    readonly offset: number,
  ) {
    super('too deep');
  }
}

/** Thrown out of the conversion when alias expansion passes the limit, at the node it reached. */
class AliasBomb extends Error {
  constructor(
    readonly pointer: string,
    readonly offset: number,
  ) {
    super('alias bomb');
  }
}

/** Parses `text` (the contents of `file`), interpolating `${…}` from `env`. Never throws for bad input. */
export function parseSource(withBom: string, file: string, env: Readonly<Record<string, string | undefined>>): ParsedSource {
  // A UTF-8 byte-order mark is not a column of line 1.
  const unmasked = withBom.charCodeAt(0) === 0xfeff ? withBom.slice(1) : withBom;
  const { text, unmask } = maskRefs(unmasked);
  const lines = new LineCounter();
  const ranges = new Map<string, NodeRange>();
  const positions = new Positions(file, lines, ranges);
  const problems: Problem[] = [];
  const problem = (code: Problem['code'], message: string, offset: number, pointer?: string, hint?: string): void => {
    const loc = positions.at(offset, pointer);
    problems.push(hint === undefined ? { code, message, loc } : { code, message, loc, hint });
  };

  const bytes = Buffer.byteLength(unmasked, 'utf8');
  if (bytes > MAX_SCENARIO_BYTES) {
    problems.push({
      code: ERROR_CODES.FILE_TOO_LARGE,
      message: `the scenario is ${bytes} bytes; rampart reads at most ${MAX_SCENARIO_BYTES} bytes (1 MiB)`,
      loc: { file, line: 1, col: 1, pointer: '' },
      hint: 'move large data into a CSV file under `data:`',
    });
    return { value: undefined, positions, problems };
  }

  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, schema: 'core', merge: false, uniqueKeys: true, strict: true });
  // After the first syntax error the parser's further errors are mostly its own confusion.
  const syntax = doc.errors[0];
  if (syntax && /call stack/i.test(syntax.message)) {
    // The YAML composer recurses per level and overflows near 800 levels; what it built before
    // that still holds the collection that passed the limit, on the way to where it gave up.
    const at = levelOnTheWay(doc.contents, syntax.pos[0], MAX_NESTING);
    problem(ERROR_CODES.YAML_NESTING, `collections nested deeper than ${MAX_NESTING} levels`, at.offset, at.pointer, NESTING_HINT);
    return { value: undefined, positions, problems };
  }
  if (syntax) problem(ERROR_CODES.YAML_SYNTAX, firstLine(syntax.message), syntax.pos[0], pointerAt(doc.contents, syntax.pos[0]), syntaxHint(syntax.code));
  if (doc.errors.length > 0) return { value: undefined, positions, problems };

  let aliasNodes = 0;
  const convert = (node: unknown, path: string, keyRange: readonly [number, number] | undefined, viaAlias: boolean, depth = 0): unknown => {
    if ((isMap(node) || isSeq(node)) && depth >= MAX_NESTING) throw new TooDeep(path, node.range?.[0] ?? 0);
    if (viaAlias && ++aliasNodes > MAX_ALIAS_NODES) throw new AliasBomb(path, (node as YamlNode | null | undefined)?.range?.[0] ?? 0);
    if (isAlias(node)) {
      const target = node.resolve(doc as Document.Parsed);
      if (!target) return null;
      // An alias keeps its own position; its content is the anchored node's.
      const at = node.range;
      let value: unknown;
      try {
        value = convert(target, path, keyRange, true, depth);
      } catch (err) {
        // Placed at the alias written in the document, not somewhere inside its expansion.
        if (err instanceof AliasBomb && !viaAlias) throw new AliasBomb(path, node.range?.[0] ?? err.offset);
        throw err;
      }
      if (at) ranges.set(path, { ...(keyRange ? { key: keyRange } : {}), value: [at[0], at[1]] });
      return value;
    }
    const yn = node as YamlNode | null | undefined;
    const range = yn?.range;
    const valueRange: readonly [number, number] = range ? [range[0], range[1]] : [0, 0];
    const tag = (node as { tag?: string } | null | undefined)?.tag;
    if (tag !== undefined && !CORE_TAGS.has(tag)) {
      problem(ERROR_CODES.YAML_TAG, `the tag ${tag.replace('tag:yaml.org,2002:', '!!')} is not accepted: only the YAML core schema tags are`, tagOffset(text, valueRange[0]), path, 'remove the tag; scenarios hold plain data only');
    }
    if (isScalar(node)) return scalarValue(node, { path, keyRange, viaAlias, valueRange, text, unmask, env, ranges, problem });
    if (!viaAlias) ranges.set(path, { ...(keyRange ? { key: keyRange } : {}), value: valueRange });
    if (isSeq(node)) {
      return node.items.map((item, i) => convert(item, `${path}/${i}`, undefined, viaAlias, depth + 1));
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key as YamlNode | null;
        const kr = k?.range;
        const keyOffsets: readonly [number, number] = kr ? [kr[0], kr[1]] : valueRange;
        if (!isScalar(k) || (typeof k.value !== 'string' && typeof k.value !== 'number' && typeof k.value !== 'boolean')) {
          problem(ERROR_CODES.SCHEMA, 'a key must be a plain string', keyOffsets[0], path || '/');
          continue;
        }
        const key = unmask(String(k.value));
        const childPath = `${path}/${escapePointer(key)}`;
        if (UNSAFE_KEYS.has(key)) {
          problem(ERROR_CODES.UNSAFE_KEY, `the key "${key}" is not allowed`, keyOffsets[0], childPath, 'keys named __proto__, constructor or prototype could alter objects; rename it');
          continue;
        }
        out[key] = convert(pair.value, childPath, keyOffsets, viaAlias, depth + 1);
      }
      return out;
    }
    return null;
  };

  try {
    const value = convert(doc.contents, '', undefined, false);
    return { value, positions, problems };
  } catch (err) {
    if (err instanceof TooDeep) {
      problem(ERROR_CODES.YAML_NESTING, `collections nested deeper than ${MAX_NESTING} levels`, err.offset, err.pointer, NESTING_HINT);
      return { value: undefined, positions, problems };
    }
    if (!(err instanceof AliasBomb)) throw err;
    problem(ERROR_CODES.YAML_ALIAS_BOMB, `aliases expand to more than ${MAX_ALIAS_NODES} nodes`, err.offset, err.pointer, 'a scenario does not need deeply nested anchors; write the values out');
    return { value: undefined, positions, problems };
  }
}

/** What {@link scalarValue} needs of the document being converted. */
interface ScalarContext {
  readonly path: string;
  readonly keyRange: readonly [number, number] | undefined;
  readonly viaAlias: boolean;
  readonly valueRange: readonly [number, number];
  readonly text: string;
  readonly unmask: (s: string) => string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly ranges: Map<string, NodeRange>;
  readonly problem: (code: Problem['code'], message: string, offset: number, pointer?: string, hint?: string) => void;
}

/** A scalar's value, with `${…}` interpolated from the environment, and its range recorded. */
function scalarValue(node: Scalar, c: ScalarContext): unknown {
  const { valueRange, path, keyRange } = c;
  let value: unknown = node.value;
  const contentShift = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
  // Offsets inside the string map 1:1 to the source only when it is written verbatim (no
  // escapes, not folded or block): otherwise problems point at the value's start.
  const verbatim = typeof value === 'string' && c.text.slice(valueRange[0] + contentShift, valueRange[0] + contentShift + value.length) === value;
  if (typeof value === 'string') value = c.unmask(value);
  const raw = verbatim ? (value as string) : undefined;
  if (!c.viaAlias) c.ranges.set(path, { ...(keyRange ? { key: keyRange } : {}), value: valueRange, ...(raw !== undefined ? { raw, contentShift } : {}) });
  if (typeof value === 'string') {
    const r = interpolateEnv(value, c.env);
    for (const u of r.unset) {
      c.problem(
        ERROR_CODES.ENV_UNSET,
        `environment variable ${u.name} is not set`,
        verbatim ? valueRange[0] + contentShift + u.offset : valueRange[0],
        path,
        `set ${u.name}, or give a default: \${${u.name}:-value}`,
      );
    }
    value = r.whole && node.type === Scalar.PLAIN ? retype(r.value) : r.value;
  }
  if (typeof value === 'bigint') value = Number(value);
  return value;
}

const NESTING_HINT = `a scenario needs far fewer levels; rampart refuses more than ${MAX_NESTING}`;

/** The node at `level` on the way from `node` to `offset` (or the deepest there is), with its pointer. */
function levelOnTheWay(node: unknown, offset: number, level: number): { pointer: string; offset: number } {
  let cur = node;
  let path = '';
  for (let d = 0; d < level; d++) {
    const next = childSpanning(cur, offset);
    if (!next) break;
    cur = next.node;
    path += `/${next.seg}`;
  }
  return { pointer: path, offset: (cur as YamlNode | null | undefined)?.range?.[0] ?? offset };
}

function childSpanning(node: unknown, offset: number): { node: unknown; seg: string } | undefined {
  const inside = (n: unknown): boolean => {
    const r = (n as YamlNode | null | undefined)?.range;
    return r != null && offset >= r[0] && offset <= (r[2] ?? r[1]);
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair) && isScalar(pair.key) && inside(pair.value)) return { node: pair.value, seg: escapePointer(String(pair.key.value)) };
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) if (inside(item)) return { node: item, seg: String(i) };
  }
  return undefined;
}

/** The core-schema type of an interpolated plain scalar: `${RATE:-5}` is the number 5. */
function retype(s: string): unknown {
  if (/^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
  if (s === 'true') return true;
  if (s === 'false') return false;
  return s;
}

/** The `!tag` written just before a node (the node's range starts after it). */
function tagOffset(text: string, nodeStart: number): number {
  const lineStart = text.lastIndexOf('\n', nodeStart - 1) + 1;
  let bang = text.lastIndexOf('!', nodeStart);
  while (bang > lineStart && text[bang - 1] === '!') bang--;
  return bang >= lineStart ? bang : nodeStart;
}

/**
 * The JSON pointer of the innermost node of a (partly parsed) document that spans `offset`: where a
 * syntax error sits in the document's structure (`''` for the top level).
 */
function pointerAt(node: unknown, offset: number, path = ''): string {
  const span = (n: unknown): readonly [number, number] | undefined => {
    const r = (n as YamlNode | null | undefined)?.range;
    return r ? [r[0], r[2] ?? r[1]] : undefined;
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const k = span(pair.key);
      const v = span(pair.value);
      if (!k || offset < k[0] || offset > (v?.[1] ?? k[1])) continue;
      return pointerAt(pair.value, offset, `${path}/${escapePointer(String(pair.key.value))}`);
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const r = span(item);
      if (r && offset >= r[0] && offset <= r[1]) return pointerAt(item, offset, `${path}/${i}`);
    }
  }
  return path;
}

function syntaxHint(code: string): string | undefined {
  if (code === 'DUPLICATE_KEY') return 'each key may appear once per mapping';
  if (code === 'BAD_INDENT' || code === 'MISSING_CHAR') return 'check the indentation and the closing brackets/quotes';
  if (code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'UNEXPECTED_TOKEN') return 'a value starting with `{{` or containing `: ` must be quoted';
  return undefined;
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).replace(/ at line \d+, column \d+:?$/, '');
}
