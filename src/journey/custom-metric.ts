/** A `metric` step: one sample of a custom metric, with its tags rendered and bounded. */
import type { Tags } from '../metrics/types.js';
import type { MetricStep, Step } from '../scenario/plan.js';
import { renderTemplate, renderValue } from '../scenario/template/index.js';
import type { StepMetrics } from './metrics.js';
import type { VuScope } from './scope.js';
import type { VuShared } from './shared.js';

/** What a `metric` step needs of its VU. */
export interface CustomMetricContext {
  readonly scope: VuScope;
  readonly shared: VuShared;
  phase(): string;
  stepMetrics(step: Step, name: string | undefined, method: string | undefined, tags: Tags, variant?: string): StepMetrics;
  fail(stepName: string, message: string): void;
}

/** Records the step's value (rate, counter, trend); a value that is not a number fails the sample with a log line. */
export function recordCustomMetric(vu: CustomMetricContext, step: MetricStep): void {
  const v = renderValue(step.value, vu.scope);
  let tags: Tags = step.tags;
  let variant: string | undefined;
  if (step.tagTemplates !== undefined) {
    // Rendered tags are bounded like response tags: 20 values per tag, then `other`.
    const rendered: Record<string, string> = { ...step.tags };
    variant = '';
    for (const [k, t] of step.tagTemplates) {
      const raw = renderTemplate(t, vu.scope).trim();
      if (raw === '') continue;
      const v = vu.shared.responseTags.admit(k, raw);
      rendered[k] = v;
      variant += `\u0000${k}\u0001${v}`;
    }
    tags = rendered;
  }
  const handle = vu.stepMetrics(step, undefined, undefined, tags, variant).custom(step.type, step.metric, vu.phase());
  if (step.type === 'rate') {
    (handle as { add(ok: boolean): void }).add(v === true || v === 'true' || v === 1 || v === '1');
    return;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) {
    vu.fail(`metric ${step.metric}`, `value ${JSON.stringify(v)} is not a number; sample skipped`);
    return;
  }
  if (step.type === 'counter') (handle as { add(n: number): void }).add(n);
  else (handle as { record(n: number): void }).record(n);
}
