/**
 * The `prometheus:` block: a Prometheus URL and thresholds on PromQL queries. A query's threshold
 * compares its value (`value < 0.01`); time units are refused because PromQL values carry the
 * query's own unit (seconds for `*_seconds` metrics).
 */
import { ERROR_CODES } from '../../errors.js';
import { parseThresholdExpression, ThresholdSyntaxError } from '../../thresholds/parse.js';
import type { PrometheusPlan, PrometheusThresholdPlan } from '../plan.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';
import { thresholdItems } from './thresholds.js';

/** Defaults of the block (also in schemas/scenario.schema.json). */
export const PROMETHEUS_DEFAULTS = { timeout: '5s', settle: '2s', interval: '5s' } as const;

/** The PrometheusPlan of `doc.prometheus`, or undefined when the scenario has none. */
export function prometheusPlan(ctx: NormContext, block: Obj | undefined): PrometheusPlan | undefined {
  if (block === undefined) return undefined;
  const thresholds: PrometheusThresholdPlan[] = [];
  for (const [query, raw] of Object.entries((block.thresholds as Obj | undefined) ?? {})) {
    const at = ptr('/prometheus/thresholds', query);
    if (query.trim() === '') {
      ctx.problem(ERROR_CODES.THRESHOLD, 'a Prometheus threshold needs a PromQL query as its key', at, undefined, true);
      continue;
    }
    thresholdItems(raw, at).forEach(({ ip, obj, source, sp }) => {
      try {
        const expr = parseThresholdExpression(source);
        if (expr.agg.fn !== 'value') {
          ctx.problem(ERROR_CODES.THRESHOLD, `a Prometheus threshold compares the query's value, not \`${source.split(/[<>=!]/)[0]?.trim()}\``, sp, 'write e.g. `value < 0.01`; aggregate inside the query (`histogram_quantile(0.95, …)`, `max(…)`)');
          return;
        }
        if (/\d\s*(ms|s|m)\s*$/.test(source.trim())) {
          ctx.problem(ERROR_CODES.THRESHOLD, `a PromQL value has no time unit (in \`${source}\`)`, sp, 'compare in the query\'s unit: seconds for *_seconds metrics, e.g. `value < 0.25`');
          return;
        }
        thresholds.push({
          query,
          expr,
          abortOnFail: obj?.abortOnFail === true,
          delayAbortEvalMs: obj && Object.hasOwn(obj, 'delayAbortEval') ? ctx.duration(obj.delayAbortEval, ptr(ip, 'delayAbortEval'), false) : 0,
          pos: ctx.sourcePos(sp),
        });
      } catch (err) {
        if (!(err instanceof ThresholdSyntaxError)) throw err;
        ctx.problemAt(ERROR_CODES.THRESHOLD, err.message, sp, err.offset, 'e.g. `value < 0.01`, `value > 0`');
      }
    });
  }
  return {
    url: String(block.url).replace(/\/+$/, ''),
    timeoutMs: ctx.duration(block.timeout ?? PROMETHEUS_DEFAULTS.timeout, '/prometheus/timeout'),
    settleMs: ctx.duration(block.settle ?? PROMETHEUS_DEFAULTS.settle, '/prometheus/settle', false),
    intervalMs: ctx.duration(block.interval ?? PROMETHEUS_DEFAULTS.interval, '/prometheus/interval'),
    thresholds,
  };
}
