/** The plan's templates and matchers (shared by expect, check, poll.until and if): see plan.ts. */

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/** An expression inside `{{ … }}`. Parsed at load time; evaluated by a pure interpreter, never eval. */
export type Expr =
  /** A literal: `"text"`, `42`, `true`, `null`. */
  | { readonly kind: 'lit'; readonly value: string | number | boolean | null }
  /** A reference: `productId`, `users.email`, `vu.id`, `items[0].id`. `root` is the first segment. */
  | { readonly kind: 'ref'; readonly root: string; readonly path: readonly (string | number)[] }
  /** A built-in function call: `random.int(1, 500)`, `uuid()`, `base64(x)`. See src/scenario/template. */
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[] };

/**
 * A compiled template string. `parts` alternate literal text and expressions. When the source is a
 * single `{{ expr }}` and nothing else, `single` is true and rendering into a JSON body keeps the
 * value's type (a number stays a number).
 */
export interface Template {
  readonly source: string;
  readonly parts: readonly (string | Expr)[];
  readonly single: boolean;
}

/** A JSON body or any structured value that may contain templates in its strings. */
export type TemplateValue =
  | { readonly kind: 'tpl'; readonly template: Template }
  | { readonly kind: 'const'; readonly value: string | number | boolean | null }
  | { readonly kind: 'array'; readonly items: readonly TemplateValue[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, TemplateValue])[] };

// ---------------------------------------------------------------------------------------------
// Matchers: shared by expect, check, poll.until and if
// ---------------------------------------------------------------------------------------------

/** A compiled JSON path (`$.items[0].id`) as segments; `'*'` is a wildcard over array items/values. */
export interface JsonPath {
  readonly source: string;
  readonly segments: readonly (string | number)[];
}

/**
 * A comparison applied to one extracted value. Exactly one operator is set. Right-hand sides may be
 * templates (rendered against the VU's variables when the matcher runs). `matches` is a regular
 * expression (flags in `flags`): `pattern` is its source when constant (compiled once per process,
 * never per response); `template` is set when it has `{{ }}`, rendered per use with the values
 * inserted as written (a value is regex source; `regexEscape()` quotes it).
 */
export type Comparison =
  | { readonly op: 'equals' | 'notEquals'; readonly value: TemplateValue }
  | { readonly op: 'exists'; readonly value: boolean }
  | { readonly op: 'contains' | 'notContains'; readonly value: Template }
  | { readonly op: 'matches'; readonly pattern: string; readonly flags: string; readonly template?: Template }
  | { readonly op: 'lt' | 'lte' | 'gt' | 'gte'; readonly value: number }
  | { readonly op: 'oneOf'; readonly values: readonly TemplateValue[] };

export type Matcher =
  /** Status in a set and/or within an inclusive range (e.g. `200`, `[200, 201]`, `2xx`). */
  | { readonly kind: 'status'; readonly oneOf?: readonly number[]; readonly min?: number; readonly max?: number }
  /** A response header (name lower-cased). */
  | { readonly kind: 'header'; readonly name: string; readonly cmp: Comparison }
  /** A value found in the JSON body. */
  | { readonly kind: 'json'; readonly path: JsonPath; readonly cmp: Comparison }
  /** The raw body text. */
  | { readonly kind: 'body'; readonly cmp: Comparison }
  /** The first element of the HTML body matching `selector`: its text, or its `attribute`. */
  | { readonly kind: 'css'; readonly selector: string; readonly attribute?: string; readonly cmp: Comparison }
  /** Total request latency under a bound. */
  | { readonly kind: 'latency'; readonly maxMs: number }
  /** A Kafka message's key (kafka steps only). */
  | { readonly kind: 'key'; readonly cmp: Comparison };

/** A named check: becomes a sample of the `checks` rate with tag `check:<name>`. Never ends the iteration. */
export interface CheckPlan {
  readonly name: string;
  /** All matchers must hold for the check to pass. */
  readonly all: readonly Matcher[];
}

export type CapturePlan =
  | { readonly kind: 'json'; readonly as: string; readonly path: JsonPath; readonly optional: boolean }
  | { readonly kind: 'header'; readonly as: string; readonly name: string; readonly optional: boolean }
  | { readonly kind: 'regex'; readonly as: string; readonly pattern: string; readonly flags: string; readonly group: number; readonly optional: boolean }
  /** From the HTML body: the first (or, with `all`, every) element matching `selector`; its text or `attribute`. */
  | { readonly kind: 'css'; readonly as: string; readonly selector: string; readonly attribute?: string; readonly all: boolean; readonly optional: boolean }
  | { readonly kind: 'status'; readonly as: string; readonly optional: boolean }
  /** A Kafka message's key (kafka steps only). */
  | { readonly kind: 'key'; readonly as: string; readonly optional: boolean };

/** A declarative condition for `if` steps. */
export type Condition =
  | { readonly kind: 'compare'; readonly left: Template; readonly cmp: Comparison }
  | { readonly kind: 'chance'; readonly probability: number }
  | { readonly kind: 'all'; readonly of: readonly Condition[] }
  | { readonly kind: 'any'; readonly of: readonly Condition[] }
  | { readonly kind: 'not'; readonly condition: Condition };
