/**
 * Thresholds: parse every key and expression, and refuse a metric or tag filter that the scenario
 * can never produce (a typo in a step name would otherwise pass silently).
 */
import { ERROR_CODES } from '../../errors.js';
import { METRIC } from '../../metrics/types.js';
import { AGGREGATIONS, aggregationText, parseThresholdExpression, parseThresholdKey, ThresholdSyntaxError } from '../../thresholds/parse.js';
import type { ThresholdExpr, ThresholdPlan } from '../plan.js';
import { didYouMean } from '../suggest.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';

/** Tag keys the engine sets on its own metrics. */
export const ENGINE_TAG_KEYS: readonly string[] = ['journey', 'step', 'group', 'method', 'status', 'error', 'phase', 'check'];

/** What the scenario can produce: metric names and, per tag key, the values (undefined = any). */
export interface Producible {
  /** Custom metric name → its type (`counter`, `rate`, `trend`). */
  readonly customMetrics: ReadonlyMap<string, string>;
  readonly tagKeys: ReadonlySet<string>;
  readonly tagValues: ReadonlyMap<string, ReadonlySet<string>>;
}

export function thresholds(ctx: NormContext, t: Obj | undefined, can: Producible): ThresholdPlan[] {
  const out: ThresholdPlan[] = [];
  const metrics = new Set<string>([...Object.values(METRIC), ...can.customMetrics.keys()]);
  const tagKeys = new Set<string>([...ENGINE_TAG_KEYS, ...can.tagKeys]);
  for (const [key, raw] of Object.entries(t ?? {})) {
    const at = ptr('/thresholds', key);
    let parsed: { metric: string; filter: Record<string, string> };
    try {
      parsed = parseThresholdKey(key);
    } catch (err) {
      if (!(err instanceof ThresholdSyntaxError)) throw err;
      ctx.problem(ERROR_CODES.THRESHOLD, err.message, at, 'a key is `metric` or `metric{tag:value,…}`', true);
      continue;
    }
    let ok = true;
    if (!metrics.has(parsed.metric)) {
      ok = false;
      ctx.problem(ERROR_CODES.THRESHOLD, `no metric \`${parsed.metric}\`: this scenario never produces it`, at, didYouMean(parsed.metric, metrics) ?? 'built-in metrics are listed in the README; custom ones come from `metric` steps', true);
    }
    for (const [tag, value] of Object.entries(parsed.filter)) {
      if (!tagKeys.has(tag)) {
        ok = false;
        ctx.problem(ERROR_CODES.THRESHOLD, `no tag \`${tag}\`: this scenario never sets it`, at, didYouMean(tag, tagKeys) ?? `tags: ${[...tagKeys].join(', ')}`, true);
        continue;
      }
      const values = can.tagValues.get(tag);
      if (values && !values.has(value)) {
        ok = false;
        ctx.problem(ERROR_CODES.THRESHOLD, `no ${tag} named \`${value}\` in this scenario`, at, didYouMean(value, values) ?? (values.size > 0 && values.size <= 10 ? `${tag} names: ${[...values].join(', ')}` : undefined), true);
      }
    }
    thresholdItems(raw, at).forEach(({ ip, obj, source, sp }) => {
      try {
        const expr = parseThresholdExpression(source);
        if (!ok) return;
        const misfit = aggregationMisfit(metricType(parsed.metric, can), expr);
        if (misfit) {
          ctx.problem(ERROR_CODES.THRESHOLD, `${misfit.message} (in \`${source}\`)`, sp, misfit.hint, true);
          return;
        }
        out.push({
          key,
          metric: parsed.metric,
          filter: parsed.filter,
          expr,
          abortOnFail: obj?.abortOnFail === true,
          delayAbortEvalMs: obj && Object.hasOwn(obj, 'delayAbortEval') ? ctx.duration(obj.delayAbortEval, ptr(ip, 'delayAbortEval'), false) : 0,
          pos: ctx.sourcePos(sp),
        });
      } catch (err) {
        if (!(err instanceof ThresholdSyntaxError)) throw err;
        ctx.problemAt(ERROR_CODES.THRESHOLD, err.message, sp, err.offset, 'e.g. `p(95) < 250ms`, `rate < 1%`, `count > 100`');
      }
      if (obj && Object.hasOwn(obj, 'delayAbortEval') && obj.abortOnFail !== true) {
        ctx.problem(ERROR_CODES.SEMANTIC, '`delayAbortEval` only matters with `abortOnFail: true`', ptr(ip, 'delayAbortEval'), undefined, true);
      }
    });
  }
  return out;
}

type MetricKind = 'trend' | 'counter' | 'rate' | 'gauge';

const BUILT_IN_KINDS: Readonly<Record<string, MetricKind>> = {
  [METRIC.httpRequests]: 'counter',
  [METRIC.httpRetries]: 'counter',
  [METRIC.httpErrors]: 'rate',
  [METRIC.wsErrors]: 'counter',
  [METRIC.checks]: 'rate',
  [METRIC.expectations]: 'rate',
  [METRIC.journeysStarted]: 'counter',
  [METRIC.journeysCompleted]: 'counter',
  [METRIC.journeysFailed]: 'counter',
  [METRIC.journeysDropped]: 'counter',
  [METRIC.journeysInterrupted]: 'counter',
  [METRIC.dataSent]: 'counter',
  [METRIC.dataReceived]: 'counter',
  [METRIC.vus]: 'gauge',
};

/** The type of a metric the scenario produces: built-in ones by name, custom ones by their step. */
function metricType(metric: string, can: Producible): MetricKind {
  const custom = can.customMetrics.get(metric);
  if (custom === 'counter' || custom === 'rate' || custom === 'trend') return custom;
  return BUILT_IN_KINDS[metric] ?? 'trend';
}

function aggregationMisfit(kind: MetricKind, expr: ThresholdExpr): { message: string; hint: string } | undefined {
  const fn = expr.agg.fn;
  // The evaluator's own table: what fails here would fail at the end of the run.
  const applies = AGGREGATIONS[kind];
  if (!applies.includes(fn === 'p' ? 'p(N)' : fn)) {
    return {
      message: `\`${aggregationText(expr.agg)}\` does not apply to a ${kind} metric`,
      hint: `a ${kind} metric takes ${applies.join(', ')}`,
    };
  }
  if (kind === 'rate' && fn === 'rate' && expr.value > 1) {
    return { message: `a rate metric's rate is a fraction between 0 and 1, got ${expr.value}`, hint: 'write e.g. `rate < 0.01` or `rate < 1%`' };
  }
  return undefined;
}

/** One threshold of a key's list: a string, or `{ threshold, abortOnFail, delayAbortEval }`. */
export interface ThresholdItem {
  /** Pointer to the item; `sp` to its expression. */
  readonly ip: string;
  readonly sp: string;
  readonly obj: Obj | undefined;
  readonly source: string;
}

/** The items of a threshold key (a single item or a list), with their pointers. */
export function thresholdItems(raw: unknown, at: string): ThresholdItem[] {
  const items: unknown[] = Array.isArray(raw) ? raw : [raw];
  return items.map((item, i) => {
    const ip = Array.isArray(raw) ? ptr(at, i) : at;
    const obj = item !== null && typeof item === 'object' ? (item as Obj) : undefined;
    return { ip, obj, source: obj ? String(obj.threshold) : String(item), sp: obj ? ptr(ip, 'threshold') : ip };
  });
}
