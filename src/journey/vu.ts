/**
 * A virtual user: runs journeys step by step with its own variables, captures and cookie jar.
 * Failures are data: a failed expectation, a missing required capture, a transport error, a poll
 * timeout or a template that cannot render ends the iteration as `failed`; nothing is thrown out of
 * runIteration. See http-steps.ts for what a request step records.
 */
import type { HttpClient } from '../http/types.js';
import type { Tags } from '../metrics/types.js';
import type { JourneyPlan, LoopStep, ParallelStep, Plan, Step } from '../scenario/plan.js';
import { RenderError, renderTemplate, renderValue } from '../scenario/template/index.js';
import { VuCookieJar } from './cookies.js';
import { DataExhaustedError } from './data-feeds.js';
import { cachedUniqueFeeds } from './journey-feeds.js';
import { runPollStep, runRequestStep } from './http-steps.js';
import { runProtocolStep, type ProtocolClients, type ProtocolRunContext } from './protocol-steps.js';
import { evalCondition } from './matchers.js';
import { journeyMetricsOf, StepMetrics } from './metrics.js';
import { VuScope } from './scope.js';
import { createVuShared, type VuShared } from './shared.js';
import { sleep } from './timing.js';
import { StepEnds } from './step-ends.js';
import { FAILED, INTERRUPTED, OK, type StepCode } from './codes.js';
import { runWsStep, VuSockets, type WsRunContext } from './ws-steps.js';
import { recordCustomMetric } from './custom-metric.js';
import { FAILURE_LOG_INTERVAL_MS, HookFailedError, type IterationOutcome, type Vu, type VuOptions } from './vu-types.js';

export { FAILURE_LOG_INTERVAL_MS, HookFailedError } from './vu-types.js';
export type { IterationOutcome, Vu, VuOptions } from './vu-types.js';

class VirtualUser implements Vu, ProtocolRunContext, WsRunContext {
  readonly id: number;
  readonly protocols: ProtocolClients;
  readonly stepEnds: StepEnds;
  readonly scope: VuScope;
  readonly jar: VuCookieJar | undefined;
  readonly shared: VuShared;
  /** The iteration's WebSocket (ws steps); closed when the iteration ends. */
  readonly sockets: VuSockets;
  scheduledAtMs: number | undefined = undefined;
  private ownClient: HttpClient | undefined = undefined;
  private iteration = 0;
  private journeyName = '';
  private journeyTags: Tags = {};
  private group: string | undefined = undefined;
  private lastFailure = '';

  constructor(readonly opts: VuOptions) {
    if (opts.client === undefined && opts.clientFactory === undefined) throw new TypeError('createVu: give a client or a clientFactory');
    this.id = opts.id;
    this.shared = opts.shared ?? createVuShared();
    this.stepEnds = new StepEnds(this.shared.stepSlots);
    this.protocols = opts.protocols ?? {};
    this.scope = new VuScope(opts.id, opts.globals, opts.data, opts.random);
    this.jar = opts.plan.http.cookies ? new VuCookieJar() : undefined;
    this.sockets = new VuSockets(opts.plan.http);
  }

  get plan(): Plan {
    return this.opts.plan;
  }
  get signal(): AbortSignal {
    return this.opts.signal;
  }
  phase(): string {
    return this.opts.phase();
  }

  client(): HttpClient {
    if (this.opts.client !== undefined) return this.opts.client;
    this.ownClient ??= (this.opts.clientFactory as () => HttpClient)();
    return this.ownClient;
  }

  async runIteration(journey: JourneyPlan, scheduledAtMs?: number): Promise<IterationOutcome> {
    const t0 = performance.now();
    this.begin(journey.name, journey.tags, this.iteration++);
    this.scheduledAtMs = scheduledAtMs;
    // The try is here, not in a wrapper: one async frame less alive through every think of every VU.
    let code: StepCode;
    try {
      code = this.signal.aborted ? INTERRUPTED : await this.runList(journey.steps, cachedUniqueFeeds(this.shared.uniqueFeeds, this.opts.plan, journey));
    } catch (err) {
      code = this.caught(err);
    }
    // Sockets never outlive their iteration, whatever ended it.
    if (this.sockets.session !== undefined) await this.sockets.closeCurrent();
    const h = journeyMetricsOf(this.shared.journeys, this.opts.sink, journey).for(this.opts.phase());
    if (code === OK) {
      h.duration.record(Math.round((performance.now() - t0) * 1000));
      h.completed.add(1);
      return 'completed';
    }
    if (code === FAILED) {
      h.failed.add(1);
      return 'failed';
    }
    return 'interrupted';
  }

  /** Runs a hook's steps; anything thrown becomes a code, and sockets never outlive the steps. */
  async runSteps(steps: readonly Step[]): Promise<Record<string, unknown>> {
    this.begin('', {}, this.iteration);
    this.scheduledAtMs = undefined;
    let code: StepCode;
    try {
      code = this.signal.aborted ? INTERRUPTED : await this.runList(steps);
    } catch (err) {
      code = this.caught(err);
    } finally {
      if (this.sockets.session !== undefined) await this.sockets.closeCurrent();
    }
    if (code === FAILED) throw new HookFailedError(this.lastFailure);
    return Object.fromEntries(this.scope.vars);
  }

  async close(): Promise<void> {
    const c = this.ownClient;
    this.ownClient = undefined;
    if (c !== undefined) await c.close();
    await this.sockets.dispose();
  }

  /** Records why the iteration fails, logging at most one line per interval. */
  fail(stepName: string, message: string): void {
    const where = this.journeyName === '' ? stepName : `${this.journeyName} › ${stepName}`;
    this.lastFailure = `${where}: ${message}`;
    const throttle = this.shared.failureLog;
    const now = performance.now();
    if (now - throttle.lastMs < FAILURE_LOG_INTERVAL_MS) {
      throttle.suppressed++;
      return;
    }
    const skipped = throttle.suppressed > 0 ? ` (${throttle.suppressed} more failures not logged)` : '';
    throttle.lastMs = now;
    throttle.suppressed = 0;
    this.opts.log(`[vu ${this.id}] ${this.lastFailure}${skipped}`);
  }

  /** The metric handles of a step under the current journey and group. */
  stepMetrics(step: Step, name: string | undefined, method: string | undefined, tags: Tags, variant?: string): StepMetrics {
    let byCtx = this.shared.steps.get(step);
    if (byCtx === undefined) {
      byCtx = new Map();
      this.shared.steps.set(step, byCtx);
    }
    // `variant`: the rendered tags of a metric step, which make handles of their own.
    const where = this.group === undefined ? this.journeyName : `${this.journeyName}\u0000${this.group}`;
    const key = variant === undefined ? where : `${where}\u0002${variant}`;
    let m = byCtx.get(key);
    if (m === undefined) {
      const base: Record<string, string> = { ...this.journeyTags, ...tags };
      if (this.journeyName !== '') base['journey'] = this.journeyName;
      if (name !== undefined) base['step'] = name;
      if (this.group !== undefined) base['group'] = this.group;
      if (method !== undefined) base['method'] = method;
      m = new StepMetrics(this.opts.sink, base);
      byCtx.set(key, m);
    }
    return m;
  }

  private begin(journeyName: string, tags: Tags, iteration: number): void {
    this.scope.begin(iteration);
    this.jar?.reset();
    this.journeyName = journeyName;
    this.journeyTags = tags;
    this.group = undefined;
    this.lastFailure = '';
    this.stepEnds.begin();
  }

  /** What a throw out of the steps means: a unique feed that ran out interrupts, anything else fails. */
  private caught(err: unknown): StepCode {
    if (err instanceof DataExhaustedError) {
      this.fail('data', err.message);
      return INTERRUPTED;
    }
    this.fail('internal', `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return FAILED;
  }

  /**
   * `feeds`: unique feeds whose rows are taken first, so a feed that ran out stops the iteration
   * before any request.
   */
  private async runList(steps: readonly Step[], feeds?: readonly string[]): Promise<StepCode> {
    if (feeds !== undefined) for (const feed of feeds) this.scope.lookup(feed);
    for (let i = 0; i < steps.length; i++) {
      if (this.signal.aborted) return INTERRUPTED;
      const step = steps[i] as Step;
      let code: StepCode;
      try {
        // Request and think steps (the hot path) skip runStep's extra async frame.
        if (step.kind === 'request') code = await runRequestStep(this, step);
        else if (step.kind === 'think') code = (await sleep(this.thinkMs(step), this.signal)) ? OK : INTERRUPTED;
        else code = await this.runStep(step);
      } catch (err) {
        if (!(err instanceof RenderError)) throw err;
        this.fail(stepLabel(step), err.message);
        code = FAILED;
      }
      if (code !== OK) return code;
    }
    return OK;
  }

  /** A think step's pause: uniform between its bounds. */
  private thinkMs(step: Extract<Step, { kind: 'think' }>): number {
    return step.minMs + (step.maxMs - step.minMs) * this.opts.random();
  }

  private async runStep(step: Step): Promise<StepCode> {
    switch (step.kind) {
      case 'request':
        return runRequestStep(this, step);
      case 'poll':
        return runPollStep(this, step);
      case 'ws':
        return runWsStep(this, step);
      case 'think':
        return (await sleep(this.thinkMs(step), this.signal)) ? OK : INTERRUPTED;
      case 'group': {
        const outer = this.group;
        this.group = outer === undefined ? step.name : `${outer}::${step.name}`;
        try {
          return await this.runList(step.steps);
        } finally {
          this.group = outer;
        }
      }
      case 'parallel':
        return this.runParallel(step);
      case 'if':
        return this.runList(evalCondition(step.condition, this.scope, this.shared.regex) ? step.then : step.else);
      case 'loop':
        return this.runLoop(step);
      case 'log':
        this.opts.log(`[vu ${this.id}] ${renderTemplate(step.message, this.scope)}`);
        return OK;
      case 'set':
        for (const [name, tv] of step.vars) this.scope.vars.set(name, renderValue(tv, this.scope));
        return OK;
      case 'metric':
        recordCustomMetric(this, step);
        return OK;
      case 'kafka':
      case 'redis':
        return runProtocolStep(this, step);
    }
  }

  /**
   * Every request at once, each run as a one-step list; the step waits for all of them (no request
   * is cut short because another failed, so each is measured to its end). Interrupted wins over
   * failed, failed over OK.
   */
  private async runParallel(step: ParallelStep): Promise<StepCode> {
    const codes = await Promise.all(step.requests.map((r) => this.runList([r])));
    return codes.includes(INTERRUPTED) ? INTERRUPTED : codes.includes(FAILED) ? FAILED : OK;
  }

  private async runLoop(step: LoopStep): Promise<StepCode> {
    const vars = this.scope.vars;
    const indexName = `${step.as}_index`;
    if (step.over === undefined) {
      const n = step.count ?? 0;
      for (let i = 0; i < n; i++) {
        vars.set(step.as, i);
        vars.set(indexName, i);
        const code = await this.runList(step.steps);
        if (code !== OK) return code;
      }
      return OK;
    }
    const items = renderValue(step.over, this.scope);
    if (!Array.isArray(items)) {
      this.fail('loop', `loop over: expected a list, got ${items === null ? 'null' : typeof items}`);
      return FAILED;
    }
    for (let i = 0; i < items.length; i++) {
      vars.set(step.as, items[i]);
      vars.set(indexName, i);
      const code = await this.runList(step.steps);
      if (code !== OK) return code;
    }
    return OK;
  }

}

function stepLabel(step: Step): string {
  return step.kind === 'request' || step.kind === 'poll' || step.kind === 'group' || step.kind === 'kafka' || step.kind === 'redis' || step.kind === 'ws' ? step.name : step.kind;
}

/** Creates a virtual user. Throws only for a programming error (no client nor clientFactory). */
export function createVu(opts: VuOptions): Vu {
  return new VirtualUser(opts);
}
