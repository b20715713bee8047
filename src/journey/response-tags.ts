/**
 * Response-derived tags (`tagWith`): a request's metrics gain a tag whose value is a response
 * header's, e.g. `cache: HIT` or `cache: MISS`, so a threshold can look at one part of a run.
 * Cardinality stays bounded: each tag keeps at most MAX_RESPONSE_TAG_VALUES distinct values per run
 * (first come, first kept); any further value, and any value longer than
 * MAX_RESPONSE_TAG_VALUE_LENGTH, is recorded as OTHER_TAG_VALUE.
 */
import type { ResponseTag } from '../scenario/plan.js';

/** Distinct values one response tag may take in a run before new ones read `other`. */
export const MAX_RESPONSE_TAG_VALUES = 20;
/** Longer header values (ids, tokens) are recorded as `other`: they would make a series each. */
export const MAX_RESPONSE_TAG_VALUE_LENGTH = 64;
/** The value recorded for a value beyond the cap. */
export const OTHER_TAG_VALUE = 'other';

/** The distinct values each response tag took so far; one per run, shared by its VUs. */
export class ResponseTagValues {
  private readonly seen = new Map<string, Set<string>>();

  /** `raw` as it will be recorded: itself while the tag has room (or already has it), else `other`. */
  admit(tag: string, raw: string): string {
    if (raw.length > MAX_RESPONSE_TAG_VALUE_LENGTH) return OTHER_TAG_VALUE;
    let values = this.seen.get(tag);
    if (values === undefined) {
      values = new Set();
      this.seen.set(tag, values);
    }
    if (values.has(raw)) return raw;
    if (values.size >= MAX_RESPONSE_TAG_VALUES) return OTHER_TAG_VALUE;
    values.add(raw);
    return raw;
  }
}

/**
 * The response tags of one response as `[tag, value]` pairs, in the step's order, or undefined
 * when none applies. `header(name)` reads a response header (lower-case name); it is undefined
 * when the request got no response. A missing or empty header leaves its tag off.
 */
export function responseTags(
  specs: readonly ResponseTag[] | undefined,
  header: (name: string) => string | string[] | undefined,
  values: ResponseTagValues,
): (readonly [string, string])[] | undefined {
  if (specs === undefined || specs.length === 0) return undefined;
  let out: (readonly [string, string])[] | undefined;
  for (const spec of specs) {
    const v = header(spec.header);
    const raw = (Array.isArray(v) ? v.join(', ') : (v ?? '')).trim();
    if (raw === '') continue;
    (out ??= []).push([spec.tag, values.admit(spec.tag, raw)]);
  }
  return out;
}
