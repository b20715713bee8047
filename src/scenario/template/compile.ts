/**
 * Compiling templates: source text → frozen, plain-data Templates (safe to structuredClone into a
 * worker), and structured values → TemplateValues. All parsing happens here, at load time.
 */
import type { Expr, Template, TemplateValue } from '../plan.js';
import { TemplateError } from './errors.js';
import { parseTemplate } from './parse.js';

/** Deepest nesting of objects/arrays `compileTemplateValue` accepts (also stops cycles). */
export const MAX_VALUE_DEPTH = 64;

/**
 * Compiles a template: literal text with `{{ expr }}` parts; `\{{` is a literal `{{`.
 * @throws {TemplateError} with `.offset` (0-based into `source`) on a syntax error, an unknown
 *   function or a wrong number of arguments
 */
export function compileTemplate(source: string): Template {
  if (typeof source !== 'string') throw new TemplateError(`a template must be a string, got ${typeof source}`, '', 0);
  const { parts, single } = parseTemplate(source);
  for (const p of parts) if (typeof p !== 'string') freezeExpr(p);
  return Object.freeze({ source, parts: Object.freeze(parts), single });
}

/**
 * True when `s` contains `{{` (a template, or an escaped `\{{`): such a string must go through
 * {@link compileTemplate} to get its text. A string without `{{` is plain text as written.
 */
export function isTemplate(s: string): boolean {
  return s.includes('{{');
}

/**
 * Compiles a structured value: objects and arrays recursively, strings containing `{{` as
 * templates (or as constants when only escapes were in them), other scalars as constants.
 * @throws {TemplateError} with `.path` the keys from `value` down to the failing string, and
 *   `.offset` into that string; also for values JSON cannot hold (undefined, functions, …)
 */
export function compileTemplateValue(value: unknown): TemplateValue {
  return compileAt(value, 0);
}

function compileAt(value: unknown, depth: number): TemplateValue {
  if (depth > MAX_VALUE_DEPTH) throw new TemplateError(`value nested deeper than ${MAX_VALUE_DEPTH} levels`, '', 0);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TemplateError(`${value} cannot be sent as JSON`, '', 0);
    }
    return Object.freeze({ kind: 'const', value });
  }
  if (typeof value === 'string') {
    if (!isTemplate(value)) return Object.freeze({ kind: 'const', value });
    const template = compileTemplate(value);
    if (template.parts.every((p) => typeof p === 'string')) {
      return Object.freeze({ kind: 'const', value: template.parts.join('') });
    }
    return Object.freeze({ kind: 'tpl', template });
  }
  if (Array.isArray(value)) {
    const items = value.map((item: unknown, i) => within(i, () => compileAt(item, depth + 1)));
    return Object.freeze({ kind: 'array', items: Object.freeze(items) });
  }
  if (value instanceof Date) return Object.freeze({ kind: 'const', value: value.toISOString() });
  if (typeof value === 'object') {
    const entries = Object.keys(value).map((key) =>
      Object.freeze([key, within(key, () => compileAt((value as Record<string, unknown>)[key], depth + 1))] as const),
    );
    return Object.freeze({ kind: 'object', entries: Object.freeze(entries) });
  }
  throw new TemplateError(`a value of type ${typeof value} cannot be part of a body`, '', 0);
}

function within<T>(key: string | number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TemplateError) throw err.under(key);
    throw err;
  }
}

function freezeExpr(e: Expr): void {
  if (e.kind === 'ref') Object.freeze(e.path);
  if (e.kind === 'call') {
    for (const a of e.args) freezeExpr(a);
    Object.freeze(e.args);
  }
  Object.freeze(e);
}

/**
 * The root names a template or value refers to (`users` for `{{ users.email }}`, also inside call
 * arguments): what must be set before it renders. Function names are not included.
 */
export function templateRefs(t: Template | TemplateValue): Set<string> {
  const out = new Set<string>();
  collect(t, out);
  return out;
}

function collect(t: Template | TemplateValue, out: Set<string>): void {
  if ('parts' in t) {
    for (const p of t.parts) if (typeof p !== 'string') collectExpr(p, out);
    return;
  }
  switch (t.kind) {
    case 'tpl':
      collect(t.template, out);
      return;
    case 'const':
      return;
    case 'array':
      for (const item of t.items) collect(item, out);
      return;
    case 'object':
      for (const [, v] of t.entries) collect(v, out);
      return;
  }
}

function collectExpr(e: Expr, out: Set<string>): void {
  if (e.kind === 'ref') out.add(e.root);
  else if (e.kind === 'call') for (const a of e.args) collectExpr(a, out);
}
