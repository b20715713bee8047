/** Captures: values taken from a response into the iteration's variables. */
import type { CapturePlan } from '../scenario/plan.js';
import { queryJsonPath } from '../scenario/jsonpath.js';
import { cssValue, cssValues } from './html.js';
import type { RegexCache } from './regex-cache.js';
import type { ResponseView } from './response.js';

/** The captured value, or undefined when the response does not have it. */
export function captureValue(c: CapturePlan, res: ResponseView, regex: RegexCache): unknown {
  switch (c.kind) {
    case 'json':
      return queryJsonPath(c.path, res.json());
    case 'header':
      return res.header(c.name);
    case 'status':
      return res.status === 0 ? undefined : res.status;
    case 'key':
      return res.key;
    case 'regex': {
      const m = regex.constant(c, c.pattern, c.flags).exec(res.text());
      return m === null ? undefined : m[c.group];
    }
    case 'css':
      return c.all ? cssValues(res.html(), c.selector, c.attribute) : cssValue(res.html(), c.selector, c.attribute);
  }
}

/**
 * Applies captures to `vars`. Returns the first required capture that is missing (its variable
 * name), or undefined when all required ones were found. Optional missing ones unset the variable.
 */
export function applyCaptures(captures: readonly CapturePlan[], res: ResponseView, regex: RegexCache, vars: Map<string, unknown>): string | undefined {
  let missing: string | undefined;
  for (const c of captures) {
    const v = captureValue(c, res, regex);
    if (v === undefined) {
      vars.delete(c.as);
      if (!c.optional && missing === undefined) missing = c.as;
    } else {
      vars.set(c.as, v);
    }
  }
  return missing;
}

/** Whether any of these captures reads the body (so the client must keep it). */
export function capturesNeedBody(captures: readonly CapturePlan[]): boolean {
  return captures.some((c) => c.kind === 'json' || c.kind === 'regex' || c.kind === 'css');
}

/** Whether any of these captures reads the body as HTML (so the HTML libraries must be loaded). */
export function capturesNeedHtml(captures: readonly CapturePlan[]): boolean {
  return captures.some((c) => c.kind === 'css');
}
