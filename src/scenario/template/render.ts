/**
 * The renderer: a small interpreter over compiled templates. It runs on the hot path of the load
 * generator, so it never parses, never builds regular expressions and creates no closures: a
 * switch over the expression kind, an own-property walk for references, a table lookup for calls.
 */
import type { Expr, Template, TemplateValue } from '../plan.js';
import { RenderError } from './errors.js';
import { exprText, setOwn, toText } from './coerce.js';
import { BUILTINS } from './functions.js';
import type { Scope } from './scope.js';

/**
 * Evaluates one expression. References walk own properties only (a key named `__proto__` or
 * `constructor` is just a key); a negative index counts from the end of a list.
 * @throws {RenderError} when a reference is undefined or a built-in rejects its arguments
 */
export function evalExpr(e: Expr, scope: Scope): unknown {
  switch (e.kind) {
    case 'lit':
      return e.value;
    case 'ref': {
      const v = resolveRef(e, scope);
      if (v === undefined) throw undefinedRef(e, scope);
      return v;
    }
    case 'call':
      return callBuiltin(e, scope);
  }
}

/**
 * Renders a template to text: literal parts as written, values as {@link toText} prints them
 * (objects and arrays as JSON, `null` as the empty string).
 * @throws {RenderError}
 */
export function renderTemplate(t: Template, scope: Scope): string {
  const parts = t.parts;
  if (parts.length === 1) {
    const only = parts[0] as string | Expr;
    return typeof only === 'string' ? only : toText(evalExpr(only, scope));
  }
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string | Expr;
    out += typeof p === 'string' ? p : toText(evalExpr(p, scope));
  }
  return out;
}

/**
 * Renders a structured value (a JSON body, a `set` step's value): objects and arrays are rebuilt,
 * strings rendered, and a string that is one single `{{ expr }}` keeps the value's own type
 * (`"{{ qty }}"` with qty = 3 gives the number 3, a captured object stays an object).
 * @throws {RenderError}
 */
export function renderValue(tv: TemplateValue, scope: Scope): unknown {
  switch (tv.kind) {
    case 'const':
      return tv.value;
    case 'tpl':
      return tv.template.single ? evalExpr(tv.template.parts[0] as Expr, scope) : renderTemplate(tv.template, scope);
    case 'array': {
      const items = tv.items;
      const out = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) out[i] = renderValue(items[i] as TemplateValue, scope);
      return out;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const entries = tv.entries;
      for (let i = 0; i < entries.length; i++) {
        const [key, value] = entries[i] as readonly [string, TemplateValue];
        setOwn(out, key, renderValue(value, scope));
      }
      return out;
    }
  }
}

/** The value a reference points at, or undefined when any step of it is missing. */
function resolveRef(e: Extract<Expr, { kind: 'ref' }>, scope: Scope): unknown {
  let v = scope.lookup(e.root);
  const path = e.path;
  for (let i = 0; i < path.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    const seg = path[i] as string | number;
    if (typeof seg === 'number') {
      if (!Array.isArray(v)) return undefined;
      const idx = seg < 0 ? v.length + seg : seg;
      if (idx < 0 || idx >= v.length) return undefined;
      v = v[idx];
    } else {
      if (Array.isArray(v) || !Object.hasOwn(v, seg)) return undefined;
      v = (v as Record<string, unknown>)[seg];
    }
  }
  return v;
}

/** A message naming the reference and where it breaks off. Only built on the error path. */
function undefinedRef(e: Extract<Expr, { kind: 'ref' }>, scope: Scope): RenderError {
  const text = exprText(e);
  if (scope.lookup(e.root) === undefined) {
    return new RenderError(`${text} is not defined: no variable, capture or data feed is named ${e.root}`, text);
  }
  let known = 1;
  for (; known < e.path.length; known++) {
    if (resolveRef({ kind: 'ref', root: e.root, path: e.path.slice(0, known) }, scope) === undefined) break;
  }
  const parent = exprText({ kind: 'ref', root: e.root, path: e.path.slice(0, known - 1) });
  const seg = e.path[known - 1];
  const what = typeof seg === 'number' ? `no item [${seg}]` : `no key ${JSON.stringify(seg)}`;
  return new RenderError(`${text} is not defined: ${parent} has ${what}`, text);
}

function callBuiltin(e: Extract<Expr, { kind: 'call' }>, scope: Scope): unknown {
  const builtin = BUILTINS.get(e.fn);
  if (builtin === undefined) throw new RenderError(`unknown function ${e.fn}()`, e.fn);
  const argExprs = e.args;
  if (e.fn === 'default') {
    // default(x, fallback): an undefined x is the point, not an error; the fallback is lazy.
    const first = argExprs[0] as Expr;
    const v = first.kind === 'ref' ? resolveRef(first, scope) : evalExpr(first, scope);
    return v === undefined || v === null ? evalExpr(argExprs[1] as Expr, scope) : v;
  }
  const args = new Array<unknown>(argExprs.length);
  for (let i = 0; i < argExprs.length; i++) {
    args[i] = evalExpr(argExprs[i] as Expr, scope);
  }
  return builtin.impl(args, scope);
}
