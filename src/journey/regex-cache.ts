/**
 * Compiled regular expressions for `matches` and regex captures. The Plan holds sources only (it
 * crosses thread and process boundaries), so each process compiles a constant pattern once, on
 * first use, keyed by its frozen plan node: a lookup per response, no key to build. A templated
 * pattern is rendered per use; what it renders to is compiled once and kept in a small cache per
 * node, so a value that changes every iteration cannot grow memory without bound.
 */
import type { Comparison } from '../scenario/plan.js';
import { renderTemplate, type Scope } from '../scenario/template/index.js';

type MatchesCmp = Extract<Comparison, { op: 'matches' }>;

/** Distinct rendered patterns kept per templated `matches`; beyond it the oldest is dropped. */
export const RENDERED_REGEX_CACHE = 64;

/** A rendered source that does not compile: the matcher fails, and says why. */
class BadPattern {
  constructor(readonly source: string, readonly message: string) {}
}

function compile(pattern: string, flags: string): RegExp {
  // g / y keep lastIndex between calls: a test must not depend on the previous one.
  return new RegExp(pattern, flags.includes('g') || flags.includes('y') ? flags.replace(/[gy]/g, '') : flags);
}

export class RegexCache {
  private readonly constants = new WeakMap<object, RegExp>();
  private readonly rendered = new WeakMap<object, Map<string, RegExp | BadPattern>>();
  /** Why the last `forMatches` gave no regex (a rendered pattern that does not compile), else undefined. */
  invalid: string | undefined = undefined;

  /**
   * The regex of a constant pattern that belongs to `node` (a Comparison or a CapturePlan),
   * compiled on the first call. The pattern was validated at load time.
   */
  constant(node: object, pattern: string, flags: string): RegExp {
    let re = this.constants.get(node);
    if (re === undefined) {
      re = compile(pattern, flags);
      this.constants.set(node, re);
    }
    return re;
  }

  /**
   * The regex of a `matches` comparison for this scope, or undefined when its rendered pattern is
   * not a valid regular expression (then `invalid` says why). @throws {RenderError}
   */
  forMatches(cmp: MatchesCmp, scope: Scope): RegExp | undefined {
    const t = cmp.template;
    if (t === undefined) return this.constant(cmp, cmp.pattern, cmp.flags);
    const source = renderTemplate(t, scope);
    let byText = this.rendered.get(cmp);
    if (byText === undefined) {
      byText = new Map();
      this.rendered.set(cmp, byText);
    }
    let hit = byText.get(source);
    if (hit === undefined) {
      try {
        hit = compile(source, cmp.flags);
      } catch (err) {
        hit = new BadPattern(source, (err as Error).message);
      }
      if (byText.size >= RENDERED_REGEX_CACHE) byText.delete(byText.keys().next().value as string);
      byText.set(source, hit);
    }
    if (hit instanceof BadPattern) {
      this.invalid = `the rendered pattern ${JSON.stringify(hit.source)} is not a valid regular expression: ${hit.message}`;
      return undefined;
    }
    return hit;
  }
}
