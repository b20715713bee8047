/**
 * Failure messages of matchers: `json $.status: expected equals "good", got "bad"`. Built only when a
 * matcher failed, never on the success path; values are shown as JSON (text quoted, numbers bare) and
 * cut at {@link SHOWN_MAX} characters so a large body cannot flood a log line.
 */
import type { Comparison, Matcher, Template, TemplateValue } from '../scenario/plan.js';
import { renderTemplate, renderValue, type Scope } from '../scenario/template/index.js';

/** Characters of a value shown in a message at most; longer values end with an ellipsis. */
export const SHOWN_MAX = 80;

function cut(s: string): string {
  return s.length > SHOWN_MAX ? `${s.slice(0, SHOWN_MAX)}…` : s;
}

/** A value as a message shows it: `"text"`, `42`, `{"a":1}`, `absent`. */
export function shown(v: unknown): string {
  if (v === undefined) return 'absent';
  if (typeof v === 'string') return JSON.stringify(cut(v));
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return cut(text);
}

const isConstant = (t: Template): boolean => t.parts.every((p) => typeof p === 'string');

/** ` (from {{ want }})` when the right-hand side was a template with expressions, else nothing. */
function origin(tv: TemplateValue): string {
  return tv.kind === 'tpl' && !isConstant(tv.template) ? ` (from ${cut(tv.template.source)})` : '';
}

/**
 * A right-hand side as the comparison saw it: rendered, with the template it came from when it had
 * expressions; the bare source when it cannot render now (an unset variable).
 */
function rhs(tv: TemplateValue, scope: Scope): string {
  try {
    return `${shown(renderValue(tv, scope))}${origin(tv)}`;
  } catch {
    return cut(sourceOf(tv));
  }
}

function rhsText(t: Template, scope: Scope): string {
  try {
    return `${shown(renderTemplate(t, scope))}${origin({ kind: 'tpl', template: t })}`;
  } catch {
    return cut(t.source);
  }
}

/** `equals "good" (from {{ want }})`, `lt 5`, `matches /^a/i`, `exists`, … */
export function describeExpected(cmp: Comparison, scope: Scope): string {
  switch (cmp.op) {
    case 'exists':
      return cmp.value ? 'exists' : 'absent';
    case 'equals':
    case 'notEquals':
      return `${cmp.op} ${rhs(cmp.value, scope)}`;
    case 'contains':
    case 'notContains':
      return `${cmp.op} ${rhsText(cmp.value, scope)}`;
    case 'matches':
      return `matches /${cut(cmp.pattern)}/${cmp.flags}`;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return `${cmp.op} ${cmp.value}`;
    case 'oneOf':
      return `oneOf [${cmp.values.map((tv) => rhs(tv, scope)).join(', ')}]`;
  }
}

function sourceOf(tv: TemplateValue): string {
  return tv.kind === 'tpl' ? tv.template.source : tv.kind === 'const' ? String(tv.value) : tv.kind;
}

/** `json $.status: expected equals "good", got "bad"`. */
export function comparisonFailure(what: string, cmp: Comparison, value: unknown, scope: Scope): string {
  return `${what}: expected ${describeExpected(cmp, scope)}, got ${shown(value)}`;
}

/** `status: expected 200 or 201, got 503`; a range as `200..299`. */
export function statusFailure(m: Extract<Matcher, { kind: 'status' }>, status: number): string {
  const parts: string[] = [];
  if (m.oneOf && m.oneOf.length > 0) parts.push(m.oneOf.join(' or '));
  if (m.min !== undefined || m.max !== undefined) parts.push(`${m.min ?? '…'}..${m.max ?? '…'}`);
  return `status: expected ${parts.join(' or ') || 'any'}, got ${status === 0 ? 'no response' : status}`;
}

/** `latency: expected under 200 ms, got 250.0 ms`. */
export function latencyFailure(maxMs: number, latencyMs: number): string {
  return `latency: expected under ${maxMs} ms, got ${latencyMs.toFixed(1)} ms`;
}
