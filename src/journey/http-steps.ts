/**
 * Request and poll steps. Per attempt a request records http.requests, http.latency, http.ttfb,
 * http.connect (new connections only), http.errors, data.sent/received, tagged with status and —
 * on failure — the error class; retries add `attempt: "2"`, … and count in http.retries.
 *
 * http.errors is true for transport failures (refused, reset, timeout, dns, tls, protocol, aborted),
 * for 4xx/5xx statuses (except a status that the step's `expect` explicitly accepts), and for a
 * response that failed its `expect` (class `expectation`), a required capture (`capture`) or, last
 * of a poll, its `until` in time (`timeout`): a response is recorded once judged, under its final class.
 * A transport failure, a failed expectation or a missing required capture ends the iteration;
 * checks only record the `checks` rate, and fail on a response that failed in transport.
 */
import { statusClass } from '../http/classify.js';
import type { HttpClient, HttpRequest, HttpResult } from '../http/types.js';
import type { Matcher, Plan, PollStep, RequestStep, Step } from '../scenario/plan.js';
import type { Tags } from '../metrics/types.js';
import { applyCaptures } from './captures.js';
import { FAILED, INTERRUPTED, OK, type StepCode } from './codes.js';
import { htmlLoaded, loadHtml } from './html.js';
import type { VuCookieJar } from './cookies.js';
import { allMatch, checkMatcher } from './matchers.js';
import type { StepMetrics } from './metrics.js';
import { buildRecipe, renderRequest, statusExpected, type Recipe } from './request.js';
import { ResponseView } from './response.js';
import { responseTags } from './response-tags.js';
import type { VuScope } from './scope.js';
import type { VuShared } from './shared.js';
import type { StepEnds } from './step-ends.js';
import { backoffMs, shouldRetry, sleep } from './timing.js';

/** What a request step needs from its VU. */
export interface StepRunContext {
  readonly plan: Plan;
  readonly scope: VuScope;
  readonly jar: VuCookieJar | undefined;
  readonly shared: VuShared;
  readonly signal: AbortSignal;
  readonly opts: { readonly random: () => number };
  /** performance.now() when each step of this iteration got its response, by step name (`since`). */
  readonly stepEnds?: StepEnds;
  /** Epoch ms of the open-model arrival; cleared by the first request that records it. */
  scheduledAtMs: number | undefined;
  phase(): string;
  client(): HttpClient;
  fail(stepName: string, message: string): void;
  stepMetrics(step: Step, name: string | undefined, method: string | undefined, tags: Tags): StepMetrics;
}

function recipeOf(ctx: StepRunContext, step: RequestStep, extra?: readonly Matcher[]): Recipe {
  let r = ctx.shared.recipes.get(step);
  if (r === undefined) {
    r = buildRecipe(step, ctx.plan.http, ctx.plan.target, extra);
    ctx.shared.recipes.set(step, r);
  }
  return r;
}

function record(ctx: StepRunContext, step: RequestStep, m: StepMetrics, res: HttpResult, cls: string | undefined, attempt: number, scheduledUs: number): void {
  const phase = ctx.phase();
  const extra = step.tagWith === undefined ? undefined : responseTags(step.tagWith, (name) => (res.status > 0 ? res.headers[name] : undefined), ctx.shared.responseTags);
  const h = m.request(phase, res.status, cls, attempt, extra);
  const t = res.timings;
  h.requests.add(1);
  h.latency.record(t.totalUs);
  if (res.status > 0) h.ttfb.record(t.ttfbUs);
  if (t.connectUs !== undefined) h.connect.record(t.connectUs);
  if (t.blockedUs !== undefined) h.blocked.record(t.blockedUs);
  if (res.tls !== undefined) m.tls(res.tls.version, res.tls.cipher).add(1);
  if (res.resent !== undefined) m.resent(phase).add(res.resent);
  h.errors.add(cls !== undefined);
  h.sent.add(res.bytesOut);
  h.received.add(res.bytesIn);
  if (scheduledUs >= 0) m.scheduled(h).record(scheduledUs);
}

/** Records a judged response under its final class (a failed expectation or capture counts in http.errors). */
function settle(ctx: StepRunContext, step: RequestStep, m: StepMetrics, res: ResponseView, cls: string | undefined): void {
  if (!res.recorded) record(ctx, step, m, res.result, cls, res.attempt, res.scheduledUs);
}

/** http.latency_scheduled of the response that just arrived (the journey's first), or -1. */
function scheduledUs(ctx: StepRunContext): number {
  if (ctx.scheduledAtMs === undefined) return -1;
  const nowMs = performance.timeOrigin + performance.now();
  const us = Math.max(0, Math.round((nowMs - ctx.scheduledAtMs) * 1000));
  ctx.scheduledAtMs = undefined;
  return us;
}

/** The step's request, rendered in the VU's scope. */
function requestOf(ctx: StepRunContext, recipe: Recipe): HttpRequest {
  const step = recipe.step;
  const { url, headers, body } = renderRequest(recipe, ctx.plan.target, ctx.scope);
  return { method: step.method, url, headers, body, timeoutMs: step.timeoutMs, signal: ctx.signal, cookies: ctx.jar, discardBody: !recipe.needsBody };
}

/** Sends one attempt; a step that reads HTML loads the parser first (once per process). */
function send(ctx: StepRunContext, recipe: Recipe, req: HttpRequest): Promise<HttpResult> {
  if (recipe.needsHtml && !htmlLoaded()) return loadHtml().then(() => ctx.client().request(req));
  return ctx.client().request(req);
}

/** The failure class of a response before its expectations: transport, or a status the step does not accept. */
function failureOf(recipe: Recipe, res: HttpResult): string | undefined {
  return res.error?.class ?? (statusExpected(recipe, res.status) ? undefined : statusClass(res.status));
}

/**
 * The attempts after `first` that the step's `retry` asks for. Records every attempt but the last,
 * which it returns unrecorded: the caller judges it, then records it with {@link settle}.
 */
async function retried(ctx: StepRunContext, recipe: Recipe, m: StepMetrics, req: HttpRequest, first: HttpResult): Promise<ResponseView> {
  const step = recipe.step;
  const retry = step.retry;
  let res = first;
  for (let attempt = 1; ; attempt++) {
    const cls = failureOf(recipe, res);
    const sched = scheduledUs(ctx);
    if (retry === undefined || attempt > retry.attempts || cls === undefined || cls === 'aborted' || !shouldRetry(retry, cls, res.status)) {
      return new ResponseView(res, cls, attempt, sched);
    }
    record(ctx, step, m, res, cls, attempt, sched);
    m.retries(ctx.phase()).add(1);
    if (!(await sleep(backoffMs(retry, attempt, ctx.opts.random), ctx.signal))) return new ResponseView(res, cls, attempt, -1, true);
    res = await send(ctx, recipe, req);
  }
}

/** The view of a first attempt that is not retried. */
function viewOf(ctx: StepRunContext, recipe: Recipe, res: HttpResult): ResponseView {
  return new ResponseView(res, failureOf(recipe, res), 1, scheduledUs(ctx));
}

/** Sends the request (with its retries); see {@link retried}. */
async function exchange(ctx: StepRunContext, recipe: Recipe, m: StepMetrics): Promise<ResponseView> {
  const req = requestOf(ctx, recipe);
  const first = await send(ctx, recipe, req);
  return recipe.step.retry === undefined ? viewOf(ctx, recipe, first) : retried(ctx, recipe, m, req, first);
}

/**
 * Checks, expectations and captures of a response; the step's outcome. Records the response under
 * its final class. `held`: the response already met a condition (a poll's `until`), so it is an
 * `expectations` sample even without `expect`. A response that failed in transport (reset, timeout,
 * cut as too large, …) fails every check: what it carries is not what the server meant to send.
 */
function judge(ctx: StepRunContext, step: RequestStep, name: string, m: StepMetrics, res: ResponseView, held = false): StepCode {
  const phase = ctx.phase();
  const scope = ctx.scope;
  const regex = ctx.shared.regex;
  const err = res.result.error;
  if (err === undefined) for (const c of step.checks) m.check(phase, c.name).add(allMatch(c.all, res, scope, regex));
  else for (const c of step.checks) m.check(phase, c.name).add(false);
  for (const e of step.expect) {
    const why = checkMatcher(e, res, scope, regex);
    if (why !== undefined) {
      m.expectation(phase, 'expectation').add(false);
      settle(ctx, step, m, res, res.failure ?? 'expectation');
      ctx.fail(name, err === undefined ? `expectation failed: ${why}` : `expectation failed: ${err.class}: ${err.message}`);
      return FAILED;
    }
  }
  if (err !== undefined) {
    settle(ctx, step, m, res, res.failure);
    ctx.fail(name, `${err.class}: ${err.message}`);
    return FAILED;
  }
  const missing = applyCaptures(step.captures, res, regex, scope.vars);
  if (missing !== undefined) {
    m.expectation(phase, 'capture').add(false);
    settle(ctx, step, m, res, res.failure ?? 'capture');
    ctx.fail(name, `required capture ${missing} not found in the response (status ${res.status})`);
    return FAILED;
  }
  settle(ctx, step, m, res, res.failure);
  // A sample per response that had something to hold: expectations, required captures, a poll's until.
  if (held || step.expect.length > 0 || step.captures.some((c) => !c.optional)) m.expectation(phase, undefined).add(true);
  return OK;
}

/** A request step: send (with retries), then checks, expectations, captures. */
export async function runRequestStep(ctx: StepRunContext, step: RequestStep): Promise<StepCode> {
  const recipe = recipeOf(ctx, step);
  const m = ctx.stepMetrics(step, step.name, step.method, step.tags);
  // exchange(), inlined: its async frame would be alive through every request in flight.
  const req = requestOf(ctx, recipe);
  const first = await send(ctx, recipe, req);
  const res = step.retry === undefined ? viewOf(ctx, recipe, first) : await retried(ctx, recipe, m, req, first);
  ctx.stepEnds?.set(step.name, performance.now());
  if (ctx.signal.aborted) {
    settle(ctx, step, m, res, res.failure);
    return INTERRUPTED;
  }
  return judge(ctx, step, step.name, m, res);
}

/**
 * A poll: repeat the request every `everyMs` until every `until` matcher holds (then poll.duration
 * records the time since the first request, the request's checks, expect and captures apply to
 * that response, and the expectations rate gets a true sample), or until `timeoutMs` passed: a
 * failure of class `timeout` (expectations rate false with error tag `timeout`), so
 * `expectations{step:<poll>}` is the share of polls that held in time. Transport errors while
 * polling are recorded and polling goes on.
 */
export async function runPollStep(ctx: StepRunContext, poll: PollStep): Promise<StepCode> {
  const recipe = recipeOf(ctx, poll.request, poll.until);
  const m = ctx.stepMetrics(poll, poll.name, poll.request.method, poll.request.tags);
  const start = performance.now();
  const deadline = start + poll.timeoutMs;
  for (;;) {
    const res = await exchange(ctx, recipe, m);
    if (ctx.signal.aborted) {
      settle(ctx, poll.request, m, res, res.failure);
      return INTERRUPTED;
    }
    if (res.result.error === undefined && allMatch(poll.until, res, ctx.scope, ctx.shared.regex)) {
      m.pollDuration(ctx.phase()).record(Math.round((performance.now() - start) * 1000));
      ctx.stepEnds?.set(poll.name, performance.now());
      return judge(ctx, poll.request, poll.name, m, res, true);
    }
    if (performance.now() + poll.everyMs > deadline) {
      // The last response of a poll that never held fails the iteration: it counts in http.errors.
      settle(ctx, poll.request, m, res, res.failure ?? 'timeout');
      m.expectation(ctx.phase(), 'timeout').add(false);
      const last = res.result.error ? `${res.result.error.class}: ${res.result.error.message}` : `status ${res.status}`;
      ctx.fail(poll.name, `poll timed out after ${poll.timeoutMs} ms (last response: ${last})`);
      return FAILED;
    }
    settle(ctx, poll.request, m, res, res.failure);
    if (!(await sleep(poll.everyMs, ctx.signal))) return INTERRUPTED;
  }
}
