/**
 * Evaluates the Plan's matchers (expect, check, poll until), comparisons and `if` conditions.
 * Regular expressions are compiled once per process (RegexCache), never per response; failure texts
 * are built only when a matcher fails.
 */
import type { Comparison, Condition, JsonPath, Matcher, Template, TemplateValue } from '../scenario/plan.js';
import { queryJsonPath, queryJsonPathAll } from '../scenario/jsonpath.js';
import { renderTemplate, renderValue, type Scope } from '../scenario/template/index.js';
import { cssValue } from './html.js';
import { comparisonFailure, latencyFailure, statusFailure } from './matcher-messages.js';
import type { RegexCache } from './regex-cache.js';
import type { ResponseView } from './response.js';

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/**
 * Equality as users expect from YAML: same JSON value, and a number equals its text (`"200"` = 200,
 * header values are text). Objects and arrays compare structurally.
 */
export function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => looseEquals(x, b[i]));
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && looseEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  if (a === undefined || b === undefined) return false;
  return String(a) === String(b);
}

function contains(haystack: unknown, needle: string): boolean {
  if (typeof haystack === 'string') return haystack.includes(needle);
  // a list contains an item equal to the text, or a text item containing it
  if (Array.isArray(haystack)) return haystack.some((x) => (typeof x === 'string' ? x.includes(needle) : looseEquals(x, needle)));
  if (isObject(haystack)) return Object.hasOwn(haystack, needle);
  if (typeof haystack === 'number' || typeof haystack === 'boolean') return String(haystack).includes(needle);
  return false;
}

function textOf(v: unknown): string {
  return typeof v === 'string' ? v : isObject(v) ? JSON.stringify(v) : String(v);
}

/** Applies one comparison to an extracted value (undefined = absent). */
export function compare(cmp: Comparison, value: unknown, scope: Scope, regex: RegexCache): boolean {
  switch (cmp.op) {
    case 'exists':
      return (value !== undefined) === cmp.value;
    case 'equals':
      return looseEquals(value, renderValue(cmp.value, scope));
    case 'notEquals':
      return !looseEquals(value, renderValue(cmp.value, scope));
    case 'contains':
      return value !== undefined && contains(value, renderTemplate(cmp.value, scope));
    case 'notContains':
      return value === undefined || !contains(value, renderTemplate(cmp.value, scope));
    case 'matches': {
      regex.invalid = undefined;
      if (value === undefined || value === null) return false;
      const re = regex.forMatches(cmp, scope);
      return re !== undefined && re.test(textOf(value));
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      if (value === undefined || value === null || value === '' || typeof value === 'boolean') return false;
      const n = Number(value);
      if (Number.isNaN(n)) return false;
      return cmp.op === 'lt' ? n < cmp.value : cmp.op === 'lte' ? n <= cmp.value : cmp.op === 'gt' ? n > cmp.value : n >= cmp.value;
    }
    case 'oneOf':
      return cmp.values.some((tv: TemplateValue) => looseEquals(value, renderValue(tv, scope)));
  }
}

/** True when a status matcher holds: the status is in the list, or within the range (inclusive). */
export function statusMatches(m: Extract<Matcher, { kind: 'status' }>, status: number): boolean {
  const list = m.oneOf;
  const hasList = list !== undefined && list.length > 0;
  const hasRange = m.min !== undefined || m.max !== undefined;
  if (hasList && list.includes(status)) return true;
  if (hasRange) return (m.min === undefined || status >= m.min) && (m.max === undefined || status <= m.max);
  return !hasList;
}

/**
 * The value a json matcher compares: with a wildcard (`$.items[*].name`) the list of every match
 * (absent when none), so `contains: Lamp` asks whether any name contains "Lamp"; else the value.
 */
export function jsonValue(path: JsonPath, doc: unknown): unknown {
  if (!path.segments.includes('*')) return queryJsonPath(path, doc);
  const all = queryJsonPathAll(path, doc);
  return all.length === 0 ? undefined : all;
}

/** The value a matcher looks at, for failure messages and comparisons. */
function extract(m: Exclude<Matcher, { kind: 'status' | 'latency' }>, res: ResponseView): unknown {
  switch (m.kind) {
    case 'header':
      return res.header(m.name);
    case 'json':
      return jsonValue(m.path, res.json());
    case 'body':
      return res.text();
    case 'css':
      return cssValue(res.html(), m.selector, m.attribute);
    case 'key':
      return res.key;
  }
}

/** What a matcher names in its failure message: `json $.id`, `header x-cache`, `body`, `css h1`. */
function subject(m: Exclude<Matcher, { kind: 'status' | 'latency' }>): string {
  switch (m.kind) {
    case 'header':
      return `header ${m.name}`;
    case 'json':
      return `json ${m.path.source}`;
    case 'body':
      return 'body';
    case 'css':
      return `css ${m.selector}${m.attribute !== undefined ? ` @${m.attribute}` : ''}`;
    case 'key':
      return 'key';
  }
}

/** True when one matcher holds. */
export function matcherHolds(m: Matcher, res: ResponseView, scope: Scope, regex: RegexCache): boolean {
  switch (m.kind) {
    case 'status':
      return statusMatches(m, res.status);
    case 'latency':
      return res.latencyMs < m.maxMs;
    default:
      return compare(m.cmp, extract(m, res), scope, regex);
  }
}

/**
 * Evaluates one matcher: undefined when it holds, else why not, in one line
 * (`json $.status: expected equals "good", got "bad"`). The text is built only on failure.
 */
export function checkMatcher(m: Matcher, res: ResponseView, scope: Scope, regex: RegexCache): string | undefined {
  switch (m.kind) {
    case 'status':
      return statusMatches(m, res.status) ? undefined : statusFailure(m, res.status);
    case 'latency': {
      const ms = res.latencyMs;
      return ms < m.maxMs ? undefined : latencyFailure(m.maxMs, ms);
    }
    default: {
      const value = extract(m, res);
      if (compare(m.cmp, value, scope, regex)) return undefined;
      const bad = m.cmp.op === 'matches' ? regex.invalid : undefined;
      return `${comparisonFailure(subject(m), m.cmp, value, scope)}${bad === undefined ? '' : `: ${bad}`}`;
    }
  }
}

/** True when every matcher holds; builds no failure text (checks only count). */
export function allMatch(ms: readonly Matcher[], res: ResponseView, scope: Scope, regex: RegexCache): boolean {
  for (const m of ms) if (!matcherHolds(m, res, scope, regex)) return false;
  return true;
}

/** Evaluates an `if` condition. A compare renders its left side keeping the value's type. */
export function evalCondition(c: Condition, scope: Scope, regex: RegexCache): boolean {
  switch (c.kind) {
    case 'chance':
      return scope.random() < c.probability;
    case 'all':
      return c.of.every((x) => evalCondition(x, scope, regex));
    case 'any':
      return c.of.some((x) => evalCondition(x, scope, regex));
    case 'not':
      return !evalCondition(c.condition, scope, regex);
    case 'compare':
      return compare(c.cmp, leftValue(c.left, scope, c.cmp.op === 'exists'), scope, regex);
  }
}

function leftValue(t: Template, scope: Scope, lenient: boolean): unknown {
  const tv: TemplateValue = { kind: 'tpl', template: t };
  if (!lenient) return renderValue(tv, scope);
  // `exists` asks whether the variable is set: an undefined reference is an answer, not an error.
  try {
    return renderValue(tv, scope);
  } catch {
    return undefined;
  }
}
