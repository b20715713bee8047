/**
 * A Run owns one run: setup → load → graceful stop → teardown, a metrics interval every second fed
 * to the live threshold evaluator and the outputs, and the Report at the end. Everything it needs is
 * injected; nothing is global. `abort()` stops the load within a second and marks the report aborted.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { cpus, hostname } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { LoadModel, OpenLoad, Plan, Step } from '../scenario/plan.js';
import type { IntervalUpdate, Output, PhaseReport, Report, RunInfoPhase, ThresholdResult } from '../report/model.js';
import { buildReport } from '../report/build-report.js';
import { evaluateThresholds } from '../thresholds/evaluate.js';
import { judgeFailures } from '../thresholds/failure-bounds.js';
import { createLiveEvaluator } from '../thresholds/live.js';
import type { AbortRequest } from '../thresholds/live.js';
import { seededRandom } from '../load/random.js';
import { openDurationMs, openRateAt, plannedArrivalsBetween } from '../load/open-schedule.js';
import { closedDurationMs, iterationBound, iterationsOf } from '../load/closed-schedule.js';
import { JourneyTracker, LATE_AFTER_MS, type LoadContext, type ShardOfLoad } from './context.js';
import { OutputFanout } from './outputs.js';
import { runOpenLoad } from './open-executor.js';
import { runClosedLoad } from './closed-executor.js';
import { createLagMonitor } from './lag-monitor.js';
import { timelinePoint } from './timeline.js';
import { startTicker } from './ticker.js';
import { decideVerdict, exitCodeFor, generatorHealth, OVERLOAD_LATE_FRACTION, OVERLOAD_MIN_LATE } from './verdict.js';

export { exitCodeFor } from './verdict.js';
import { systemClock, type Clock, type EngineVu, type RunRegistry, type VuFactory } from './types.js';
import { warmUpReport, type WarmUp } from './warm-up.js';

export interface RunOptions {
  readonly plan: Plan;
  readonly registry: RunRegistry;
  readonly createVu: VuFactory;
  readonly outputs?: readonly Output[];
  /** Default: the system clock (epoch ms, monotonic). */
  readonly clock?: Clock;
  /** Seed of the schedule and journey picks; random when absent. */
  readonly seed?: number;
  readonly runId?: string;
  /** Snapshot interval (ms). Default 1000. */
  readonly intervalMs?: number;
  /** rampart's version, for the report. */
  readonly version?: string;
  /** The scenario text (the outputs redact it). */
  readonly scenarioText?: string;
  /**
   * Polled every interval and after each iteration: a reason to end the load early (not an abort:
   * running journeys get the graceful stop, thresholds decide), e.g. a unique data feed ran out.
   */
  readonly stopWhen?: () => string | undefined;
  /** Called for each warning as it happens (they also go into the report). */
  readonly onWarning?: (message: string) => void;
  /**
   * Run only shard `index` of `count` of the load (worker threads, `--shard`); see LoadContext.shard.
   * Every shard must use the same `seed` so they walk one global schedule. Default: the whole load.
   */
  readonly shard?: ShardOfLoad;
  /**
   * Thresholds judged outside the registry (PromQL queries against Prometheus, see
   * src/thresholds/prometheus.ts): started with the run (live abortOnFail), their final results join
   * the report's thresholds before the verdict. `final` throwing makes the run fail (exit 3).
   */
  readonly external?: ExternalThresholds;
  /**
   * This process's heap: used and limit (bytes). Polled every interval: past {@link HEAP_ABORT_FRACTION}
   * of the limit the run stops itself and writes its report (exit 3) rather than die of an
   * out-of-memory crash that writes nothing. Default: V8's heap statistics.
   */
  readonly heap?: () => { readonly used: number; readonly limit: number };
  /**
   * Warms the generator before the load (src/engine/warm-up.ts): the code before the run starts,
   * the target's connections right before the load. Absent: the run starts cold.
   */
  readonly warmUp?: WarmUp;
  /**
   * Started before the load, awaited before the run's clock starts (the Kafka consumers of the
   * scenario's `consume` steps, which read from the end of their topic as of then). Never rejects.
   */
  readonly prepare?: (signal: AbortSignal) => Promise<void>;
}

/** Share of the heap limit at which a run stops itself to keep its report (too many VUs for one process). */
export const HEAP_ABORT_FRACTION = 0.8;

const v8Heap = (): { used: number; limit: number } => {
  const h = getHeapStatistics();
  return { used: h.used_heap_size, limit: h.heap_size_limit };
};

/** Makes the external thresholds of a merged run, given where their warnings go. */
export type ExternalThresholdsFactory = (warn: (message: string) => void) => ExternalThresholds;

/** A source of thresholds the engine does not compute itself. */
export interface ExternalThresholds {
  /** Starts live evaluation; `onAbort` stops the run like a failing abortOnFail threshold. */
  start(startMs: number, onAbort: (a: AbortRequest) => void): void;
  /** Stops live evaluation. */
  stop(): Promise<void>;
  /** The results over the run [startMs, endMs] (epoch ms). */
  final(startMs: number, endMs: number): Promise<ThresholdResult[]>;
}

/** After a cut, running journeys get this long (ms) to settle before the run moves on. */
const SETTLE_MS = 1000;

export class Run {
  readonly runId: string;
  readonly #o: RunOptions;
  readonly #clock: Clock;
  readonly #loadCtl = new AbortController();
  readonly #cutCtl = new AbortController();
  readonly #warnings: string[] = [];
  readonly #outputs: OutputFanout;
  #abortReason: string | undefined;
  #abortedBy: string | undefined;
  #thresholdAbort: { key: string; expression: string; message: string } | undefined;
  /** The `phase` tag of samples: setup, a phase/stage name (the last one during the graceful stop), teardown. */
  #phase = 'setup';
  /** What the run is doing, for live output and the timeline: like #phase, or `graceful-stop`. */
  #doing = 'setup';
  #targetVus: number | undefined;
  #started = false;
  /** Called by abort() (during teardown: the report before it is written then). */
  #onAbort: (() => void) | undefined;

  constructor(opts: RunOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.runId = opts.runId ?? randomUUID();
    // Every running journey listens to these signals: thousands of listeners are expected.
    setMaxListeners(0, this.#loadCtl.signal, this.#cutCtl.signal);
    this.#outputs = new OutputFanout(opts.outputs ?? [], (m) => this.#warn(m));
  }

  /** Errors raised by outputs (e.g. a report that could not be written); the run went on. */
  get outputErrors(): readonly Error[] {
    return this.#outputs.errors;
  }

  /** What the run is doing: `setup`, a phase/stage name, `graceful-stop` or `teardown`. */
  get phase(): string {
    return this.#doing;
  }

  /**
   * Stops the load within a second: no new journeys; running ones are cut and counted as
   * interrupted; teardown still runs. `SIGINT`/`SIGTERM` give exit codes 130/143; any other reason
   * marks the run aborted (exit 1). Only the first abort counts.
   */
  abort(reason: 'SIGINT' | 'SIGTERM' | (string & {})): void {
    if (this.#abortReason !== undefined) return;
    this.#abortedBy = reason;
    this.#abortReason = reason === 'SIGINT' || reason === 'SIGTERM' ? `interrupted by ${reason}` : reason;
    this.#loadCtl.abort();
    this.#cutCtl.abort();
    this.#onAbort?.();
  }

  /** Adds a warning to the report (e.g. from a collaborator such as the metrics registry). */
  addWarning(message: string): void {
    this.#warn(message);
  }

  #checkStop(): void {
    if (this.#loadCtl.signal.aborted) return;
    const why = this.#o.stopWhen?.();
    if (why === undefined) return;
    this.#warn(`the load ended early: ${why}`);
    this.#loadCtl.abort();
  }

  #warn(message: string): void {
    if (this.#warnings.includes(message)) return;
    this.#warnings.push(message);
    this.#o.onWarning?.(message);
  }

  /** Runs the whole run once and resolves to its Report (outputs have been given it). */
  async start(): Promise<Report> {
    if (this.#started) throw new Error('a Run runs once');
    this.#started = true;
    const { plan, registry } = this.#o;
    const clock = this.#clock;
    const seed = this.#o.seed ?? Math.floor(Math.random() * 2 ** 32);
    const warm = this.#o.warmUp;
    const warmCode = warm !== undefined && !this.#loadCtl.signal.aborted ? await warm.code(this.#loadCtl.signal).catch((err: unknown) => void this.#warn(`warm-up: ${message(err)}`)) : undefined;
    if (this.#o.prepare !== undefined && !this.#loadCtl.signal.aborted) await this.#o.prepare(this.#loadCtl.signal).catch((err: unknown) => void this.#warn(`prepare: ${message(err)}`));
    let warmConns: Awaited<ReturnType<WarmUp['connections']>> | undefined;
    const lag = createLagMonitor();
    const startedAt = clock.now();
    // One model, or several load blocks at once: each block runs its own model beside the others.
    const blocks: readonly { readonly name?: string; readonly journeys?: readonly string[]; readonly load: LoadModel }[] =
      plan.load.model === 'blocks' ? plan.load.blocks : [{ load: plan.load }];
    const defsOf = (m: LoadModel): readonly RunInfoPhase[] => (m.model === 'open' ? m.phases : iterationBound(m) ? m.stages.map((st) => ({ name: st.name, durationMs: st.durationMs, iterations: iterationsOf(m, st.target) })) : m.stages);
    const phaseDefs = blocks.flatMap((b) => defsOf(b.load));
    // An iteration-bound block has a cap, not a planned duration: no "left" countdown for it.
    const planned = blocks.filter((b) => b.load.model === 'open' || !iterationBound(b.load)).map((b) => (b.load.model === 'open' ? openDurationMs(b.load) : closedDurationMs(b.load)));
    const plannedDurationMs = planned.length > 0 ? Math.max(...planned) : undefined;
    const openModels = blocks.map((b) => b.load).filter((m): m is OpenLoad => m.model === 'open');
    const phases: { name: string; startOffsetMs: number; endOffsetMs?: number }[] = [];
    const timeline: IntervalUpdate['point'][] = [];
    const live = createLiveEvaluator(plan.thresholds, { startMs: startedAt });
    let liveResults: readonly ThresholdResult[] = [];
    let origin: number | undefined;
    let globals: Readonly<Record<string, unknown>> = { ...plan.variables };
    const vuRandom = seededRandom(seed ^ 0x5bd1e995);

    const tracker = new JourneyTracker(
      registry,
      this.#o.createVu,
      this.#cutCtl.signal,
      () => this.#phase,
      () => globals,
      vuRandom,
      (err) => this.#warn(`journey error: ${message(err)}`),
      () => this.#checkStop(),
    );
    const hookVu = (signal: AbortSignal): EngineVu => this.#o.createVu({ id: 0, phase: () => this.#phase, signal, globals, random: vuRandom });
    const runSteps = async (steps: readonly Step[], label: string, signal: AbortSignal): Promise<Record<string, unknown> | undefined> => {
      const vu = hookVu(signal);
      try {
        return await vu.runSteps(steps);
      } catch (err) {
        this.#warn(`${label} failed: ${message(err)}`);
        return undefined;
      } finally {
        await Promise.resolve(vu.close()).catch(() => undefined);
      }
    };

    lag.start();
    this.#o.external?.start(startedAt, (a) => {
      if (this.#abortReason !== undefined) return;
      this.#thresholdAbort = a;
      this.abort(`threshold ${a.key}: ${a.expression} failed (${a.message})`);
    });
    await this.#outputs.start({
      runId: this.runId,
      scenarioName: plan.name,
      target: plan.target,
      startedAt,
      ...(plannedDurationMs !== undefined ? { plannedDurationMs } : {}),
      phases: phaseDefs.map((p) => ({ name: p.name, durationMs: p.durationMs, ...(p.iterations !== undefined ? { iterations: p.iterations } : {}) })),
    });

    // One snapshot per interval, on absolute ticks from the start (never drifting).
    let lastTick = startedAt;
    // Said once, as soon as a second's arrivals start late: the report says it again at the end.
    let lateSeen = 0;
    let behindSaid = false;
    const heap = this.#o.heap ?? v8Heap;
    /** True (and the run stopping itself) once the heap is nearly full. */
    const overMemory = (): boolean => {
      if (this.#abortedBy === 'memory') return true;
      if (this.#abortReason !== undefined) return false;
      const h = heap();
      if (h.used <= HEAP_ABORT_FRACTION * h.limit) return false;
      const mib = (b: number): string => `${Math.round(b / 2 ** 20)} MiB`;
      this.#warn(`memory: the heap reached ${mib(h.used)} of its ${mib(h.limit)} limit with ${tracker.vus} VUs; the run stopped itself to keep its report`);
      this.abort(`memory: the heap reached ${mib(h.used)} of ${mib(h.limit)}: too many VUs for one process — spread them with --workers or shards, or raise the limit (NODE_OPTIONS=--max-old-space-size=<MiB>)`);
      this.#abortedBy = 'memory';
      return true;
    };
    const tick = (final: boolean): void => {
      if (!final) this.#checkStop();
      if (!final) overMemory();
      const now = clock.now();
      const interval = registry.takeInterval();
      const cumulative = registry.cumulative();
      const offsetMs = now - startedAt;
      let planned: number | undefined;
      if (openModels.length > 0 && origin !== undefined) {
        const o = origin;
        planned = openModels.reduce((n, m) => n + plannedArrivalsBetween(m, lastTick - o, now - o), 0);
      }
      const point = timelinePoint(interval, offsetMs / 1000, this.#doing, tracker.vus, planned);
      lastTick = now;
      const late = tracker.late - lateSeen;
      lateSeen = tracker.late;
      if (!final && !behindSaid && late >= OVERLOAD_MIN_LATE && late > OVERLOAD_LATE_FRACTION * Math.max(1, point.started)) {
        behindSaid = true;
        this.#warn(
          `the load generator is falling behind: ${late} of ${point.started} arrivals in the last second started more than ${LATE_AFTER_MS} ms late (short of CPU, or a rate too high for one process); latencies may include its own delay`,
        );
      }
      if (!final || now - (timeline.at(-1)?.t ?? 0) * 1000 > 50) timeline.push(point);
      try {
        const res = live.update(cumulative, now);
        liveResults = res.results;
        if (res.abort && this.#abortReason === undefined && !final) {
          this.#thresholdAbort = res.abort;
          this.abort(`threshold ${res.abort.key}: ${res.abort.expression} failed (${res.abort.message})`);
        }
      } catch (err) {
        this.#warn(`live thresholds: ${message(err)}`);
      }
      if (final) return;
      const o = origin;
      const targetRate = openModels.length > 0 && o !== undefined ? openModels.reduce((r, m) => r + openRateAt(m, now - o), 0) : undefined;
      const update: IntervalUpdate = {
        offsetMs,
        phase: this.#doing,
        interval,
        cumulative,
        point,
        thresholds: liveResults,
        ...(targetRate !== undefined ? { targetRate } : {}),
        ...(this.#targetVus !== undefined ? { targetVus: this.#targetVus } : {}),
      };
      this.#outputs.interval(update);
    };
    const ticker = startTicker(clock, startedAt, this.#o.intervalMs ?? 1000, () => tick(false));

    let setupFailed: string | undefined;
    /** The report as of now: at the end, or (provisional) an aborted run's before its teardown. */
    const reportOf = async (provisional: boolean): Promise<Report> => {
      // Said live once, at the end: the report before teardown only carries them.
      const extra: string[] = [];
      const warn = (m: string): void => {
        if (!provisional) this.#warn(m);
        else if (!this.#warnings.includes(m) && !extra.includes(m)) extra.push(m);
      };
      tick(true);
      const lagStats = provisional ? lag.peek() : lag.stop();
      const endedAt = clock.now();

      if (tracker.errors > 0) warn(`${tracker.errors} journey iterations ended with an internal error`);
      // Prometheus is not asked before teardown: its answer could be as slow as the teardown.
      const external = this.#o.external !== undefined && !provisional ? await this.#o.external.final(startedAt, endedAt) : [];
      const thresholds = this.#finalThresholds(external);
      const cumulative = registry.cumulative();
      const failures = judgeFailures(plan, cumulative);
      for (const w of failures.warnings) warn(w);
      const verdict = decideVerdict({ thresholdAbort: this.#thresholdAbort !== undefined, aborted: this.#abortReason !== undefined, setupFailed: setupFailed !== undefined, thresholds, tooManyFailures: failures.failed });
      const exitCode = exitCodeFor(verdict, this.#abortedBy);
      const generator = generatorHealth(lagStats, tracker, warm !== undefined ? warmUpReport(warmCode ?? undefined, warmConns ?? undefined) : undefined);
      if (generator.overloaded) {
        warn(
          `the load generator was overloaded (event-loop lag p99 ${lagStats.p99Ms.toFixed(1)} ms, ${tracker.late} late arrivals): latencies may include the generator's own delay`,
        );
      }
      if (tracker.dropped > 0) warn(`${tracker.dropped} arrivals dropped: maxVus reached (raise load.maxVus or lower the rate)`);

      return buildReport({
        plan,
        version: this.#o.version ?? '0.0.0',
        runId: this.runId,
        startedAt,
        endedAt,
        verdict,
        exitCode,
        ...(this.#abortReason !== undefined ? { abortReason: this.#abortReason } : setupFailed !== undefined ? { abortReason: setupFailed } : {}),
        cumulative,
        thresholds,
        phases: phases.map((p): PhaseReport => ({ name: p.name, startOffsetMs: p.startOffsetMs, endOffsetMs: p.endOffsetMs ?? p.startOffsetMs })),
        // A copy: the teardown's seconds go on after the report before it.
        timeline: [...timeline],
        generator,
        warnings: [...this.#warnings, ...extra],
        environment: { node: process.version, platform: `${process.platform}-${process.arch}`, host: hostname(), cpus: cpus().length },
        ...(this.#o.scenarioText !== undefined ? { scenarioText: this.#o.scenarioText } : {}),
      });
    };

    try {
      // setup: its captures are visible to every journey.
      if (plan.setup.length > 0 && !this.#loadCtl.signal.aborted) {
        const vu = hookVu(this.#cutCtl.signal);
        try {
          const captured = await vu.runSteps(plan.setup);
          globals = Object.freeze({ ...plan.variables, ...captured });
        } catch (err) {
          setupFailed = `setup failed: ${message(err)}`;
        } finally {
          await Promise.resolve(vu.close()).catch(() => undefined);
        }
      }

      if (setupFailed === undefined && !this.#loadCtl.signal.aborted) {
        if (warm !== undefined) warmConns = await warm.connections().catch((err: unknown) => void this.#warn(`warm-up: ${message(err)}`));
        const loadOrigin = (origin = clock.now());
        // Per block: its current phase (the `phase` tag of its VUs) and VU target.
        const current = blocks.map(() => '');
        // A block's VUs keep its last phase as their tag after it ended (as a single model's do).
        const last = blocks.map(() => '');
        const targets = blocks.map(() => 0);
        const byName = new Map<string, { name: string; startOffsetMs: number; endOffsetMs?: number }>();
        const ctxOf = (b: number): LoadContext => {
          const block = blocks[b] as (typeof blocks)[number];
          const defs = defsOf(block.load);
          const journeys = block.journeys;
          return {
            plan: journeys === undefined ? plan : { ...plan, journeys: plan.journeys.filter((j) => journeys.includes(j.name)) },
            clock,
            // Block 0 draws as a single-model run does; the others from their own seeds.
            scheduleRandom: seededRandom(seed + b),
            pickRandom: seededRandom((seed + b) ^ 0x9e3779b9),
            origin: loadOrigin,
            loadSignal: this.#loadCtl.signal,
            journeys: tracker,
            enterPhase: (i) => {
              const name = defs[i]?.name ?? `phase ${i + 1}`;
              current[b] = last[b] = this.#phase = name;
              this.#doing = current.filter((c) => c !== '').join(' + ');
              const entry = { name, startOffsetMs: Math.round(clock.now() - startedAt) };
              byName.set(name, entry);
              phases.push(entry);
            },
            leavePhase: (i) => {
              const entry = byName.get(defs[i]?.name ?? '');
              if (entry) entry.endOffsetMs = Math.round(clock.now() - startedAt);
              if (blocks.length > 1) current[b] = '';
            },
            runHook: async (steps, label) => {
              await runSteps(steps, label, this.#cutCtl.signal);
            },
            setTargetVus: (n) => {
              targets[b] = n;
              this.#targetVus = targets.reduce((x, y) => x + y, 0);
            },
            overMemory,
            ...(this.#o.shard !== undefined ? { shard: this.#o.shard } : {}),
            ...(blocks.length > 1 ? { block: { index: b, count: blocks.length, phase: () => last[b] || this.#phase } } : {}),
          };
        };
        await Promise.all(blocks.map((block, b) => (block.load.model === 'open' ? runOpenLoad(block.load, ctxOf(b)) : runClosedLoad(block.load, ctxOf(b)))));
        for (const p of phases) if (p.endOffsetMs === undefined) p.endOffsetMs = Math.round(clock.now() - startedAt);

        // Graceful stop: running journeys get gracefulStopMs, then are cut (interrupted).
        if (tracker.active > 0) {
          this.#doing = 'graceful-stop';
          const stuck = await tracker.drain(plan.gracefulStopMs, this.#cutCtl, SETTLE_MS);
          if (stuck > 0) this.#warn(`${stuck} journeys did not stop within ${SETTLE_MS} ms of being interrupted`);
        }
      }
    } finally {
      // teardown runs even when the run was aborted.
      if (plan.teardown.length > 0) {
        // An aborted run's report is given to the outputs before its teardown (which may be slow, or
        // be left by a second signal) and again after it: a signal during teardown counts too.
        let before: Promise<void> | undefined;
        const early = (): void =>
          void (before ??= reportOf(true).then((r) => this.#outputs.provisional(r)).catch((err: unknown) => this.#warn(`the report before teardown: ${message(err)}`)));
        if (this.#abortReason !== undefined) early();
        // After abort() returns: it may have more to set (a memory stop sets its exit code after).
        else this.#onAbort = () => queueMicrotask(early);
        this.#phase = this.#doing = 'teardown';
        await runSteps(plan.teardown, 'teardown', new AbortController().signal);
        this.#onAbort = undefined;
        await before;
      }
      ticker.stop();
      await this.#o.external?.stop();
    }
    const report = await reportOf(false);
    await this.#outputs.end(report);
    return report;
  }

  #finalThresholds(external: readonly ThresholdResult[] = []): ThresholdResult[] {
    const results = [...evaluateThresholds(this.#o.plan.thresholds, this.#o.registry.cumulative()), ...external];
    const ab = this.#thresholdAbort;
    if (!ab) return results;
    return results.map((r) => (r.key === ab.key && r.expression === ab.expression ? { ...r, passed: false, aborted: true } : r));
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
