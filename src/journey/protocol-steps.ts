/**
 * Runners of the protocol steps (`kafka`, `redis`), by step kind. Per run each records its latency
 * trend (when an answer arrived: an acknowledged produce, a matching message, a Redis reply) and
 * one sample of its errors rate, both tagged like a request's (journey, step, group, phase, and
 * `error` on failure); `expectations` gets a sample when the step had something to hold. A failure
 * (refused, timeout, not-found, expectation, capture, …) ends the iteration like a failed request.
 */
import { bounded, classifyProtocolError, ProtocolError } from '../kafka/errors.js';
import type { ConsumedMessage, KafkaHub } from '../kafka/hub.js';
import type { WaiterIndex } from '../kafka/topic-channel.js';
import { METRIC } from '../metrics/catalogue.js';
import type { RedisHub } from '../redis/client.js';
import type { KafkaConsume, KafkaStep, Matcher, ProtocolStep, RedisStep } from '../scenario/plan.js';
import { queryJsonPath } from '../scenario/jsonpath.js';
import { renderTemplate, renderValue } from '../scenario/template/index.js';
import { applyCaptures } from './captures.js';
import { FAILED, INTERRUPTED, OK, type StepCode } from './codes.js';
import type { StepRunContext } from './http-steps.js';
import { allMatch, checkMatcher } from './matchers.js';
import type { StepMetrics } from './metrics.js';
import { MessageView, ReplyView } from './protocol-view.js';
import type { ResponseView } from './response.js';
import type { StepEnds } from './step-ends.js';

/** The clients of a process that protocol steps use (absent: the scenario has no such block). */
export interface ProtocolClients {
  readonly kafka?: KafkaHub;
  readonly redis?: RedisHub;
}

/** What a protocol step needs from its VU beyond a request step's. */
export interface ProtocolRunContext extends StepRunContext {
  readonly protocols: ProtocolClients;
  /** performance.now() when each step of this iteration got its response, by step name (`since`). */
  readonly stepEnds: StepEnds;
}

type Runner<S extends ProtocolStep> = (ctx: ProtocolRunContext, step: S) => Promise<StepCode>;

const RUNNERS: { readonly [K in ProtocolStep['kind']]: Runner<Extract<ProtocolStep, { kind: K }>> } = {
  kafka: runKafkaStep,
  redis: runRedisStep,
};

/** Runs a protocol step with the runner of its kind. */
export function runProtocolStep(ctx: ProtocolRunContext, step: ProtocolStep): Promise<StepCode> {
  return (RUNNERS[step.kind] as Runner<ProtocolStep>)(ctx, step);
}

const us = (fromMs: number, toMs: number): number => Math.max(0, Math.round((toMs - fromMs) * 1000));

/** Records a failure and ends the iteration (or reports the interruption). */
function failed(ctx: ProtocolRunContext, step: ProtocolStep, m: StepMetrics, metrics: { latency: string; errors: string }, err: unknown, held: boolean): StepCode {
  const e = classifyProtocolError(err);
  if (e.cls === 'aborted' || ctx.signal.aborted) return INTERRUPTED;
  const phase = ctx.phase();
  m.protocol(metrics.latency, metrics.errors, phase, e.cls).errors.add(true);
  if (held) m.expectation(phase, e.cls).add(false);
  ctx.fail(step.name, `${e.cls}: ${e.message}`);
  return FAILED;
}

/** Expectations and captures of an answer that arrived; records it under its final class. */
function settle(ctx: ProtocolRunContext, step: ProtocolStep, m: StepMetrics, metrics: { latency: string; errors: string }, view: ResponseView, latencyUs: number, expect: readonly Matcher[], held: boolean): StepCode {
  const phase = ctx.phase();
  let cls: string | undefined;
  let why = '';
  for (const e of expect) {
    const w = checkMatcher(e, view, ctx.scope, ctx.shared.regex);
    if (w !== undefined) {
      cls = 'expectation';
      why = `expectation failed: ${w}`;
      break;
    }
  }
  if (cls === undefined) {
    const missing = applyCaptures(step.captures, view, ctx.shared.regex, ctx.scope.vars);
    if (missing !== undefined) {
      cls = 'capture';
      why = `required capture ${missing} not found`;
    }
  }
  const h = m.protocol(metrics.latency, metrics.errors, phase, cls);
  h.latency.record(latencyUs);
  h.errors.add(cls !== undefined);
  if (held || expect.length > 0 || step.captures.some((c) => !c.optional)) m.expectation(phase, cls).add(cls === undefined);
  ctx.stepEnds.set(step.name, performance.now());
  if (cls === undefined) return OK;
  ctx.fail(step.name, why);
  return FAILED;
}

const KAFKA = { latency: METRIC.kafkaLatency, errors: METRIC.kafkaErrors };
const REDIS = { latency: METRIC.redisLatency, errors: METRIC.redisErrors };

function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

/** A `kafka` step: produce one message, or wait for a matching one. */
export async function runKafkaStep(ctx: ProtocolRunContext, step: KafkaStep): Promise<StepCode> {
  const m = ctx.stepMetrics(step, step.name, undefined, step.tags);
  const hub = ctx.protocols.kafka;
  const start = performance.now();
  const a = step.action;
  if (hub === undefined) return failed(ctx, step, m, KAFKA, new ProtocolError('protocol', 'no kafka connection in this process'), false);
  if (a.op === 'produce') {
    try {
      const headers: Record<string, string> = {};
      for (const [k, t] of a.headers) headers[k] = renderTemplate(t, ctx.scope);
      const value = a.value.kind === 'json' ? JSON.stringify(renderValue(a.value.value, ctx.scope)) : renderTemplate(a.value.template, ctx.scope);
      await hub.produce(renderTemplate(a.topic, ctx.scope), a.key !== undefined ? renderTemplate(a.key, ctx.scope) : undefined, value, headers, 10_000, ctx.signal);
    } catch (err) {
      return failed(ctx, step, m, KAFKA, err, false);
    }
    return settle(ctx, step, m, KAFKA, new MessageView(Buffer.alloc(0), {}, undefined), us(start, performance.now()), [], false);
  }
  const views = new WeakMap<ConsumedMessage, MessageView>();
  const view = (msg: ConsumedMessage): MessageView => {
    let v = views.get(msg);
    if (v === undefined) {
      v = new MessageView(msg.value, msg.headers, msg.key);
      views.set(msg, v);
    }
    return v;
  };
  const match = (msg: ConsumedMessage): boolean => allMatch(a.until, view(msg), ctx.scope, ctx.shared.regex);
  let msg: ConsumedMessage;
  try {
    msg = await hub.consume(a.topic, match, waiterIndex(ctx, a, view), a.timeoutMs, ctx.signal);
  } catch (err) {
    return failed(ctx, step, m, KAFKA, err, true);
  }
  const from = a.since !== undefined ? (ctx.stepEnds.get(a.since) ?? start) : start;
  return settle(ctx, step, m, KAFKA, view(msg), us(from, msg.arrivedMs), [], true);
}

/** The exact value the first `equals` of `until` asks for, so the topic's channel can index the waiter. */
function waiterIndex(ctx: ProtocolRunContext, a: KafkaConsume, view: (m: ConsumedMessage) => MessageView): WaiterIndex<ConsumedMessage> | undefined {
  for (const u of a.until) {
    if (u.kind !== 'key' && u.kind !== 'json' && u.kind !== 'header') continue;
    if (u.cmp.op !== 'equals') continue;
    if (u.kind === 'json' && u.path.segments.includes('*')) continue;
    const v = renderValue(u.cmp.value, ctx.scope);
    if (v === null || v === undefined || typeof v === 'object') continue;
    const value = String(v);
    if (u.kind === 'key') return { id: 'key', subject: (m) => m.key, value };
    if (u.kind === 'header') return { id: `header ${u.name}`, subject: (m) => m.headers[u.name], value };
    const path = u.path;
    return { id: `json ${path.source}`, subject: (m) => queryJsonPath(path, view(m).json()), value };
  }
  return undefined;
}

/** A `redis` step: one command, its expectations and captures. */
export async function runRedisStep(ctx: ProtocolRunContext, step: RedisStep): Promise<StepCode> {
  const m = ctx.stepMetrics(step, step.name, undefined, step.tags);
  const hub = ctx.protocols.redis;
  if (hub === undefined) return failed(ctx, step, m, REDIS, new ProtocolError('protocol', 'no redis connection in this process'), false);
  const start = performance.now();
  let reply: unknown;
  try {
    const key = renderTemplate(step.key, ctx.scope);
    const call = {
      command: step.command,
      key,
      limit: step.limit,
      ...(step.field !== undefined ? { field: renderTemplate(step.field, ctx.scope) } : {}),
      ...(step.value !== undefined ? { value: text(renderValue(step.value, ctx.scope)) } : {}),
      ...(step.ttlMs !== undefined ? { ttlMs: step.ttlMs } : {}),
    };
    reply = await bounded(hub.call(call, ctx.signal), hub.plan.timeoutMs + 500, `redis: ${step.command} ${key}`, ctx.signal);
  } catch (err) {
    return failed(ctx, step, m, REDIS, err, step.expect.length > 0);
  }
  const latencyUs = us(start, performance.now());
  return settle(ctx, step, m, REDIS, new ReplyView(reply, latencyUs), latencyUs, step.expect, false);
}
