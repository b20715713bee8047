/**
 * Caches that any number of VUs of one process may share: compiled request recipes, regular
 * expressions and metric handles. Plain objects owned by whoever creates them (the runner of a
 * worker), never module state.
 */
import type { JourneyPlan, Step } from '../scenario/plan.js';
import { RegexCache } from './regex-cache.js';
import type { JourneyMetrics, StepMetrics } from './metrics.js';
import type { Recipe } from './request.js';
import { ResponseTagValues } from './response-tags.js';

export interface VuShared {
  readonly regex: RegexCache;
  readonly recipes: WeakMap<Step, Recipe>;
  /** Per step: StepMetrics by `journey \0 group`. */
  readonly steps: WeakMap<Step, Map<string, StepMetrics>>;
  readonly journeys: WeakMap<JourneyPlan, JourneyMetrics>;
  /** Per journey: the `unique` data feeds it names, whose rows an iteration takes before it starts. */
  readonly uniqueFeeds: WeakMap<JourneyPlan, readonly string[]>;
  /** Failure log throttle shared by the VUs: when the last line was written, lines skipped since. */
  readonly failureLog: { lastMs: number; suppressed: number };
  /** Distinct values of each `tagWith` tag so far (bounded cardinality). */
  readonly responseTags: ResponseTagValues;
  /** Each step name's slot in the VUs' step ends (src/journey/step-ends.ts). */
  readonly stepSlots: Map<string, number>;
}

/** Creates caches for VUs that share one metrics sink and one plan. */
export function createVuShared(): VuShared {
  return { regex: new RegexCache(), recipes: new WeakMap(), steps: new WeakMap(), journeys: new WeakMap(), uniqueFeeds: new WeakMap(), failureLog: { lastMs: -Infinity, suppressed: 0 }, responseTags: new ResponseTagValues(), stepSlots: new Map() };
}
