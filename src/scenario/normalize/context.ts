/**
 * What every normalizer shares: positions for errors, the problem list, and helpers that turn
 * durations, templates, JSON paths and regular expressions into Plan values, recording a Problem
 * (never throwing) when one is wrong.
 */
import { ERROR_CODES } from '../../errors.js';
import type { ErrorCode, Location, Problem } from '../../errors.js';
import type { Comparison, JsonPath, SourcePos, Template, TemplateValue } from '../plan.js';
import type { Positions } from '../positions.js';
import { escapePointer } from '../positions.js';
import { compileTemplate, compileTemplateValue, isTemplate, templateRefs, TemplateError } from '../template/index.js';
import { compileJsonPath, JsonPathError } from '../jsonpath.js';
import { parseDuration, parseFraction, parseSize, UnitError } from '../units.js';
import { didYouMean } from '../suggest.js';
import type { VarScope } from './scope.js';

/** A validated scenario object (null-prototype, plain data). */
export type Obj = Readonly<Record<string, unknown>>;

export class NormContext {
  readonly file: string;
  readonly pos: Positions;
  readonly problems: Problem[] = [];
  /** CSS selectors to check once normalization is done ({@link checkSelectors}). */
  private readonly selectors: { readonly selector: string; readonly pointer: string }[] = [];

  constructor(file: string, pos: Positions) {
    this.file = file;
    this.pos = pos;
  }

  problem(code: ErrorCode, message: string, pointer: string, hint?: string, onKey = false): void {
    const loc = this.pos.locate(pointer, onKey);
    this.problems.push(hint === undefined ? { code, message, loc } : { code, message, loc, hint });
  }

  problemAt(code: ErrorCode, message: string, pointer: string, index: number, hint?: string): void {
    const loc = this.pos.inString(pointer, index);
    this.problems.push(hint === undefined ? { code, message, loc } : { code, message, loc, hint });
  }

  /** A problem at a place in another file (a body file the scenario names). */
  problemLoc(code: ErrorCode, message: string, loc: Location, hint?: string): void {
    this.problems.push(hint === undefined ? { code, message, loc } : { code, message, loc, hint });
  }

  sourcePos(pointer: string): SourcePos {
    return this.pos.pos(pointer);
  }

  /** Milliseconds of a duration; `positive` rejects zero. Returns 0 after recording a problem. */
  duration(value: unknown, pointer: string, positive = true): number {
    if (value === undefined) return 0; // a missing required duration is the schema's problem
    try {
      const ms = parseDuration(String(value).trim());
      if (positive && ms <= 0) {
        this.problem(ERROR_CODES.DURATION, `\`${lastSegment(pointer)}\` must be longer than zero`, pointer);
        return 0;
      }
      return ms;
    } catch (err) {
      if (!(err instanceof UnitError)) throw err;
      this.problem(ERROR_CODES.DURATION, err.message, pointer, 'use a number with a unit: 250ms, 5s, 2m, 1h');
      return 0;
    }
  }

  fraction(value: unknown, pointer: string): number {
    try {
      return parseFraction(typeof value === 'number' ? value : String(value).trim());
    } catch (err) {
      if (!(err instanceof UnitError)) throw err;
      this.problem(ERROR_CODES.SCHEMA, err.message, pointer);
      return 0;
    }
  }

  size(value: unknown, pointer: string): number {
    if (typeof value === 'number') return value;
    try {
      return parseSize(String(value).trim());
    } catch (err) {
      if (!(err instanceof UnitError)) throw err;
      this.problem(ERROR_CODES.SCHEMA, err.message, pointer);
      return 0;
    }
  }

  /** Compiles a template string and checks that every variable it names is known in `scope`. */
  template(value: unknown, pointer: string, scope: VarScope | undefined): Template {
    const source = typeof value === 'string' ? value : String(value);
    try {
      const t = compileTemplate(source);
      if (scope) this.checkRefs(templateRefs(t), source, pointer, scope);
      return t;
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      this.problemAt(ERROR_CODES.TEMPLATE, err.message, pointer, err.offset);
      return { source, parts: [source], single: false };
    }
  }

  /** Compiles a structured value (a JSON body, a `set` value) with templates in its strings. */
  templateValue(value: unknown, pointer: string, scope: VarScope | undefined): TemplateValue {
    try {
      const tv = compileTemplateValue(value);
      if (scope) this.checkValueRefs(tv, pointer, scope);
      return tv;
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      const at = pointer + err.path.map((k) => `/${escapePointer(k)}`).join('');
      this.problemAt(ERROR_CODES.TEMPLATE, err.message, at, err.offset);
      return { kind: 'const', value: null };
    }
  }

  private checkValueRefs(tv: TemplateValue, pointer: string, scope: VarScope): void {
    switch (tv.kind) {
      case 'tpl':
        return this.checkRefs(templateRefs(tv.template), tv.template.source, pointer, scope);
      case 'array':
        tv.items.forEach((item, i) => this.checkValueRefs(item, `${pointer}/${i}`, scope));
        return;
      case 'object':
        for (const [k, v] of tv.entries) this.checkValueRefs(v, `${pointer}/${escapePointer(k)}`, scope);
        return;
      default:
    }
  }

  private checkRefs(refs: ReadonlySet<string>, source: string, pointer: string, scope: VarScope): void {
    this.checkRefsAt(refs, source, (index) => this.pos.inString(pointer, index), scope);
  }

  /** Checks that every name in `refs` is known in `scope`; `place` locates an index of `source`. */
  checkRefsAt(refs: ReadonlySet<string>, source: string, place: (index: number) => Location, scope: VarScope): void {
    for (const name of refs) {
      if (scope.has(name)) continue;
      const index = refOffset(source, name);
      const later = scope.setLater(name);
      if (later) {
        this.problemLoc(ERROR_CODES.CAPTURE_ORDER, `\`${name}\` is used before the step that sets it (line ${later.line})`, place(index), 'move this step after the one that captures it, or declare it under `variables`');
      } else {
        this.problemLoc(ERROR_CODES.TEMPLATE, `unknown variable \`${name}\` in template`, place(index), didYouMean(name, scope.names()) ?? 'declare it under `variables`, capture it, or name a `data` feeder');
      }
    }
  }

  jsonPath(value: unknown, pointer: string): JsonPath {
    const source = String(value);
    try {
      return compileJsonPath(source);
    } catch (err) {
      if (!(err instanceof JsonPathError)) throw err;
      this.problemAt(ERROR_CODES.SCHEMA, err.message, pointer, err.offset);
      return { source, segments: [] };
    }
  }

  /** Records a CSS selector to check (checked by {@link checkSelectors}; compiled again where it runs). */
  selector(selector: string, pointer: string): void {
    this.selectors.push({ selector, pointer });
  }

  /** Checks that every recorded CSS selector parses; css-select loads only when there is one. */
  async checkSelectors(): Promise<void> {
    if (this.selectors.length === 0) return;
    const { compile } = await import('css-select');
    for (const { selector, pointer } of this.selectors) {
      try {
        compile(selector);
      } catch (err) {
        this.problem(ERROR_CODES.SCHEMA, `invalid CSS selector: ${(err as Error).message}`, pointer, 'a selector as in a style sheet: `input[name="csrf"]`, `h1`, `a.product`');
      }
    }
  }

  /** Checks that a regular expression compiles (it is compiled again where it runs). */
  regex(pattern: string, flags: string, pointer: string, note = ''): void {
    try {
      new RegExp(pattern, flags);
    } catch (err) {
      this.problem(ERROR_CODES.SCHEMA, `invalid regular expression${note}: ${(err as Error).message}`, pointer);
    }
  }

  /**
   * A `matches` operand: constant, or a template whose rendered text is the regex source. The text
   * around a template's `{{ }}` is checked now, each `{{ }}` read as an empty group: a pattern no
   * value could repair fails validation instead of every response.
   */
  matchPattern(source: string, flags: string, pointer: string, scope: VarScope | undefined): Extract<Comparison, { op: 'matches' }> {
    if (!isTemplate(source)) {
      this.regex(source, flags, pointer);
      return { op: 'matches', pattern: source, flags };
    }
    const before = this.problems.length;
    const template = this.template(source, pointer, scope);
    if (this.problems.length > before) return { op: 'matches', pattern: source, flags };
    if (template.parts.every((p) => typeof p === 'string')) {
      const pattern = template.parts.join('');
      this.regex(pattern, flags, pointer);
      return { op: 'matches', pattern, flags };
    }
    const skeleton = template.parts.map((p) => (typeof p === 'string' ? p : '(?:)')).join('');
    this.regex(skeleton, flags, pointer, ' (each {{ }} read as empty)');
    return { op: 'matches', pattern: source, flags, template };
  }
}

function lastSegment(pointer: string): string {
  return pointer.slice(pointer.lastIndexOf('/') + 1);
}

/** Index of the first reference to `name` inside a `{{ … }}` of `source` (0 when not found). */
function refOffset(source: string, name: string): number {
  const re = new RegExp(`(?<![\\w$.'"])${name.replace(/[$]/g, '\\$')}(?![\\w$(])`, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(source)) !== null) {
    const open = source.lastIndexOf('{{', m.index);
    const close = source.lastIndexOf('}}', m.index);
    if (open >= 0 && open > close) return m.index;
  }
  return Math.max(0, source.indexOf('{{'));
}

/** `obj[key]` of a validated object, or undefined. */
export function get(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' && Object.hasOwn(obj, key) ? (obj as Obj)[key] : undefined;
}

export function ptr(base: string, ...keys: (string | number)[]): string {
  return base + keys.map((k) => `/${escapePointer(k)}`).join('');
}
