/**
 * The `unique` data feeds a journey's templates name. A VU takes their rows when an iteration
 * starts, before its first request: rows were otherwise drawn when a template first rendered, so a
 * journey whose first step does not name the feed sent that step once more per VU (and per shard)
 * after the feed ran out. Found once per journey by walking its steps, never per iteration.
 */
import type { JourneyPlan, Plan, Template } from '../scenario/plan.js';
import { templateRefs } from '../scenario/template/index.js';

function isTemplate(v: object): v is Template {
  const t = v as Partial<Template>;
  return typeof t.source === 'string' && Array.isArray(t.parts) && typeof t.single === 'boolean';
}

/** Every template root named anywhere under `node` (steps, bodies, matchers, nested steps). */
function collectRoots(node: unknown, out: Set<string>, seen: Set<object>): void {
  if (typeof node !== 'object' || node === null || seen.has(node)) return;
  seen.add(node);
  if (isTemplate(node)) {
    for (const r of templateRefs(node)) out.add(r);
    return;
  }
  for (const v of Array.isArray(node) ? node : Object.values(node)) collectRoots(v, out, seen);
}

/** The names of the plan's `unique` feeds that the journey's templates name, in plan order. */
export function uniqueFeedsOf(plan: Plan, journey: JourneyPlan): readonly string[] {
  const unique = plan.data.filter((f) => f.order === 'unique');
  if (unique.length === 0) return [];
  const roots = new Set<string>();
  collectRoots(journey.steps, roots, new Set());
  return unique.filter((f) => roots.has(f.name)).map((f) => f.name);
}

/** {@link uniqueFeedsOf}, found once per journey and kept in `cache` (shared by a process's VUs). */
export function cachedUniqueFeeds(cache: WeakMap<JourneyPlan, readonly string[]>, plan: Plan, journey: JourneyPlan): readonly string[] {
  let feeds = cache.get(journey);
  if (feeds === undefined) {
    feeds = uniqueFeedsOf(plan, journey);
    cache.set(journey, feeds);
  }
  return feeds;
}
