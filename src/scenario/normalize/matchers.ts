/**
 * Matchers (expect, check, poll until), comparisons, captures and `if` conditions: from the
 * scenario's objects to the Plan's Matcher / CapturePlan / Condition.
 */
import { ERROR_CODES } from '../../errors.js';
import type { CapturePlan, Comparison, Condition, Matcher } from '../plan.js';
import type { NormContext, Obj } from './context.js';
import { get, ptr } from './context.js';
import type { VarScope } from './scope.js';

/** Comparison operators shared by expect objects, header/json maps and conditions. */
export const OPS = ['equals', 'notEquals', 'exists', 'contains', 'notContains', 'matches', 'lt', 'lte', 'gt', 'gte', 'oneOf'] as const;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The comparisons of an object holding operators (`{ equals: x }`, `{ gt: 1, lt: 5 }`). */
export function comparisons(ctx: NormContext, o: Obj, base: string, scope: VarScope): Comparison[] {
  const out: Comparison[] = [];
  const flags = typeof o.flags === 'string' ? o.flags : '';
  for (const op of OPS) {
    if (!Object.hasOwn(o, op)) continue;
    const v = o[op];
    const at = ptr(base, op);
    switch (op) {
      case 'equals':
      case 'notEquals':
        out.push({ op, value: ctx.templateValue(v, at, scope) });
        break;
      case 'exists':
        out.push({ op, value: v === true });
        break;
      case 'contains':
      case 'notContains':
        out.push({ op, value: ctx.template(String(v), at, scope) });
        break;
      case 'matches':
        out.push(ctx.matchPattern(String(v), flags, at, scope));
        break;
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        out.push({ op, value: Number(v) });
        break;
      case 'oneOf':
        out.push({ op, values: (v as unknown[]).map((x, i) => ctx.templateValue(x, ptr(at, i), scope)) });
        break;
    }
  }
  if (Object.hasOwn(o, 'flags') && !Object.hasOwn(o, 'matches')) ctx.problem(ERROR_CODES.SEMANTIC, '`flags` only applies to `matches`', ptr(base, 'flags'), undefined, true);
  return out;
}

/** A comparison written as a plain value (equals) or an operator object. */
function comparisonOf(ctx: NormContext, v: unknown, at: string, scope: VarScope): Comparison[] {
  if (isObj(v)) return comparisons(ctx, v, at, scope);
  return [{ op: 'equals', value: ctx.templateValue(v, at, scope) }];
}

function statusMatcher(ctx: NormContext, v: unknown, at: string): Matcher {
  const classRange = (s: string): [number, number] => {
    const d = Number(s[0]);
    return [d * 100, d * 100 + 99];
  };
  if (typeof v === 'number') return { kind: 'status', oneOf: [v] };
  if (typeof v === 'string') {
    const [min, max] = classRange(v);
    return { kind: 'status', min, max };
  }
  const codes = new Set<number>();
  for (const item of v as unknown[]) {
    if (typeof item === 'number') codes.add(item);
    else {
      const [min, max] = classRange(String(item));
      for (let c = min; c <= max; c++) codes.add(c);
    }
  }
  if (codes.size === 0) ctx.problem(ERROR_CODES.SCHEMA, 'status list is empty', at);
  return { kind: 'status', oneOf: [...codes].sort((a, b) => a - b) };
}

/** An expect / check / until object → matchers that must all hold. */
export function matchers(ctx: NormContext, o: Obj, base: string, scope: VarScope): Matcher[] {
  const out: Matcher[] = [];
  if (Object.hasOwn(o, 'status')) out.push(statusMatcher(ctx, o.status, ptr(base, 'status')));
  const sources = (['header', 'json', 'css'] as const).filter((k) => typeof o[k] === 'string');
  const ops = OPS.filter((op) => Object.hasOwn(o, op));
  if (Object.hasOwn(o, 'attribute') && !sources.includes('css')) ctx.problem(ERROR_CODES.SEMANTIC, '`attribute` only applies to `css`', ptr(base, 'attribute'), undefined, true);
  if (sources.length > 1) {
    ctx.problem(ERROR_CODES.SEMANTIC, `an assertion compares one value: ${sources.map((k) => `\`${k}\``).join(' or ')}, not ${sources.length === 2 ? 'both' : 'several'}`, ptr(base, sources[1] ?? ''), 'use `headers:` and `jsonPaths:` maps, or two checks');
  } else if (sources.length === 1) {
    const cmps = ops.length > 0 ? comparisons(ctx, o, base, scope) : [{ op: 'exists' as const, value: true }];
    const css = sources[0] === 'css' ? cssSource(ctx, o, base) : undefined;
    for (const cmp of cmps) {
      if (css) out.push({ kind: 'css', ...css, cmp });
      else out.push(sources[0] === 'header' ? { kind: 'header', name: String(o.header).toLowerCase(), cmp } : { kind: 'json', path: ctx.jsonPath(o.json, ptr(base, 'json')), cmp });
    }
  } else if (ops.length > 0) {
    ctx.problem(ERROR_CODES.SEMANTIC, `\`${ops[0] ?? ''}\` compares a value: add \`header: <name>\`, \`json: <path>\` or \`css: <selector>\``, ptr(base, ops[0] ?? ''), 'for the body write `body: { contains: … }`', true);
  }
  const headers = get(o, 'headers');
  if (isObj(headers)) {
    for (const [name, v] of Object.entries(headers)) {
      for (const cmp of comparisonOf(ctx, v, ptr(base, 'headers', name), scope)) out.push({ kind: 'header', name: name.toLowerCase(), cmp });
    }
  }
  const paths = get(o, 'jsonPaths');
  if (isObj(paths)) {
    for (const [path, v] of Object.entries(paths)) {
      const at = ptr(base, 'jsonPaths', path);
      const jp = ctx.jsonPath(path, at);
      for (const cmp of comparisonOf(ctx, v, at, scope)) out.push({ kind: 'json', path: jp, cmp });
    }
  }
  if (Object.hasOwn(o, 'body')) {
    for (const cmp of comparisonOf(ctx, o.body, ptr(base, 'body'), scope)) out.push({ kind: 'body', cmp });
  }
  if (Object.hasOwn(o, 'maxLatency')) out.push({ kind: 'latency', maxMs: ctx.duration(o.maxLatency, ptr(base, 'maxLatency')) });
  if (out.length === 0 && ops.length === 0) ctx.problem(ERROR_CODES.SEMANTIC, 'this assertion checks nothing', base, 'add `status`, `header`, `json`, `css`, `headers`, `jsonPaths`, `body` or `maxLatency`');
  return out;
}

/** The selector (checked once normalization is done) and attribute of a `css` source. */
function cssSource(ctx: NormContext, o: Obj, base: string): { selector: string; attribute?: string } {
  const selector = String(o.css);
  ctx.selector(selector, ptr(base, 'css'));
  return typeof o.attribute === 'string' ? { selector, attribute: o.attribute } : { selector };
}

/** `capture: { name: { json | header | regex | css | status } }` → CapturePlans. */
export function captures(ctx: NormContext, o: Obj, base: string): CapturePlan[] {
  const out: CapturePlan[] = [];
  for (const [as, raw] of Object.entries(o)) {
    const c = raw as Obj;
    const at = ptr(base, as);
    const optional = c.optional === true;
    const sources = ['json', 'header', 'regex', 'css', 'status'].filter((k) => Object.hasOwn(c, k));
    if (sources.length !== 1) {
      ctx.problem(ERROR_CODES.SEMANTIC, sources.length === 0 ? `capture \`${as}\` needs a source: json, header, regex, css or status` : `capture \`${as}\` has ${sources.join(' and ')}: give exactly one source`, at);
      continue;
    }
    if ((Object.hasOwn(c, 'group') || Object.hasOwn(c, 'flags')) && sources[0] !== 'regex') {
      ctx.problem(ERROR_CODES.SEMANTIC, '`group` and `flags` only apply to a `regex` capture', at);
    }
    if ((Object.hasOwn(c, 'attribute') || Object.hasOwn(c, 'all')) && sources[0] !== 'css') {
      ctx.problem(ERROR_CODES.SEMANTIC, '`attribute` and `all` only apply to a `css` capture', at);
    }
    switch (sources[0]) {
      case 'json':
        out.push({ kind: 'json', as, path: ctx.jsonPath(c.json, ptr(at, 'json')), optional });
        break;
      case 'header':
        out.push({ kind: 'header', as, name: String(c.header).toLowerCase(), optional });
        break;
      case 'regex': {
        const pattern = String(c.regex);
        const flags = typeof c.flags === 'string' ? c.flags : '';
        const group = typeof c.group === 'number' ? c.group : 1;
        if (pattern.includes('{{')) {
          ctx.problemAt(ERROR_CODES.TEMPLATE, 'a capture\'s `regex` is constant: it cannot hold `{{ }}`', ptr(at, 'regex'), pattern.indexOf('{{'), 'capture the wider text, or test it with a `matches` check, whose pattern takes templates');
          continue;
        }
        ctx.regex(pattern, flags, ptr(at, 'regex'));
        try {
          const groups = new RegExp(`${pattern}|`, flags).exec('')?.length ?? 1;
          if (group > groups - 1) ctx.problem(ERROR_CODES.SEMANTIC, `the regex has ${groups - 1} group(s); group ${group} does not exist`, ptr(at, Object.hasOwn(c, 'group') ? 'group' : 'regex'));
        } catch {
          // already reported by ctx.regex
        }
        out.push({ kind: 'regex', as, pattern, flags, group, optional });
        break;
      }
      case 'css':
        out.push({ kind: 'css', as, ...cssSource(ctx, c, at), all: c.all === true, optional });
        break;
      default:
        out.push({ kind: 'status', as, optional });
    }
  }
  return out;
}

/** An `if` condition. */
export function condition(ctx: NormContext, o: Obj, base: string, scope: VarScope): Condition {
  const forms = ['value', 'chance', 'all', 'any', 'not'].filter((k) => Object.hasOwn(o, k));
  const ops = OPS.filter((op) => Object.hasOwn(o, op));
  if (forms.length !== 1) {
    ctx.problem(ERROR_CODES.SEMANTIC, forms.length === 0 ? 'a condition needs `value` (with an operator), `chance`, `all`, `any` or `not`' : `a condition has one form; this one has ${forms.join(' and ')}`, base);
    return { kind: 'all', of: [] };
  }
  const form = forms[0];
  if (form !== 'value' && ops.length > 0) ctx.problem(ERROR_CODES.SEMANTIC, `\`${ops[0] ?? ''}\` needs \`value\``, ptr(base, ops[0] ?? ''), undefined, true);
  switch (form) {
    case 'chance':
      return { kind: 'chance', probability: ctx.fraction(o.chance, ptr(base, 'chance')) };
    case 'all':
    case 'any':
      return { kind: form, of: (o[form] as Obj[]).map((c, i) => condition(ctx, c, ptr(base, form, i), scope)) };
    case 'not':
      return { kind: 'not', condition: condition(ctx, o.not as Obj, ptr(base, 'not'), scope) };
    default: {
      const left = ctx.template(String(o.value), ptr(base, 'value'), scope);
      const cmps = ops.length > 0 ? comparisons(ctx, o, base, scope) : [{ op: 'exists' as const, value: true }];
      const all: Condition[] = cmps.map((cmp) => ({ kind: 'compare', left, cmp }));
      return all.length === 1 ? (all[0] as Condition) : { kind: 'all', of: all };
    }
  }
}
