/** What step normalization needs beyond the context, and small helpers shared by the step files. */
import type { DataFeed } from '../plan.js';
import type { NormContext } from './context.js';

/** What step normalization needs beyond the context. */
/** What step normalization needs beyond the context. */
export interface StepEnv {
  readonly ctx: NormContext;
  /** Feeders by name, for `loop: { over: { data: name } }`. */
  readonly feeds: ReadonlyMap<string, DataFeed>;
  /** Directory of the scenario file: `bodyFile` paths resolve against it. */
  readonly baseDir: string;
  /** True when the plan has a target (relative URLs need one). */
  readonly hasTarget: boolean;
  /** Custom metrics seen (name → type), for thresholds. */
  readonly metrics: Map<string, string>;
  /** Scenario-level connection blocks present (`kafka`, `redis`): their steps need them. */
  readonly protocols: ReadonlySet<string>;
  /** Every request/poll/group/check name and tag key seen, for thresholds. */
  readonly names: { steps: Set<string>; groups: Set<string>; checks: Set<string>; methods: Set<string>; tagKeys: Set<string> };
}

export function entries(o: unknown): [string, unknown][] {
  return o !== null && typeof o === 'object' ? Object.entries(o) : [];
}

export function tagsOf(env: StepEnv, o: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries(o)) {
    out[k] = String(v);
    env.names.tagKeys.add(k);
  }
  return out;
}
