/**
 * A Run owns one run: setup → load → graceful stop → teardown, a metrics interval every second fed
 * to the judge (live thresholds) and the outputs, and the Report at the end. It drives the load and
 * emits snapshots; the judge (src/thresholds/judge/) decides what they say. Everything it needs is
 * injected; nothing is global. `abort()` stops the load within a second and marks the report aborted.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Step } from '../scenario/plan.js';
import type { Report } from '../report/model.js';
import { createJudge, type Judge } from '../thresholds/judge/judge.js';
import { seededRandom } from '../load/random.js';
import { JourneyTracker } from './context.js';
import { OutputFanout } from './outputs.js';
import { createLagMonitor, type LagMonitor } from './lag-monitor.js';
import { startTicker } from './ticker.js';
import { systemClock, type Clock, type EngineVu } from './types.js';
import { warmUpReport, type WarmUp } from './warm-up.js';
import { HEAP_ABORT_FRACTION, heldBackOf, v8Heap, type RunOptions } from './run-options.js';
import { blocksOf, openModelsOf, phaseDefsOf, plannedDurationMs, runBlocks, type PhaseEntry, type RunState } from './run-blocks.js';
import { createIntervals, type Intervals } from './run-intervals.js';
import { runReport } from './run-report.js';

/** After a cut, running journeys get this long (ms) to settle before the run moves on. */
const SETTLE_MS = 1000;

/** What one start() has made: the pieces its steps share. */
interface Started {
  readonly startedAt: number;
  readonly seed: number;
  /** The random draws of every VU (hooks and journeys), from the seed. */
  readonly vuRandom: () => number;
  readonly tracker: JourneyTracker;
  readonly judge: Judge;
  intervals: Intervals;
  readonly phases: PhaseEntry[];
  globals: Readonly<Record<string, unknown>>;
  origin?: number;
  setupFailed?: string;
  warmCode?: Awaited<ReturnType<WarmUp['code']>>;
  warmConns?: Awaited<ReturnType<WarmUp['connections']>>;
  /** Right before the load: the wait for the helper threads to go idle (ms) and how many were lowered. */
  warmStart?: Awaited<ReturnType<WarmUp['beforeLoad']>>;
}

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
  readonly #state: RunState = { phase: 'setup', doing: 'setup', targetVus: undefined };
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
    return this.#state.doing;
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

  /** True (and the run stopping itself) once the heap is nearly full. */
  #overMemory(vus: number): boolean {
    if (this.#abortedBy === 'memory') return true;
    if (this.#abortReason !== undefined) return false;
    const h = (this.#o.heap ?? v8Heap)();
    if (h.used <= HEAP_ABORT_FRACTION * h.limit) return false;
    const mib = (b: number): string => `${Math.round(b / 2 ** 20)} MiB`;
    this.#warn(`memory: the heap reached ${mib(h.used)} of its ${mib(h.limit)} limit with ${vus} VUs; the run stopped itself to keep its report`);
    this.abort(`memory: the heap reached ${mib(h.used)} of ${mib(h.limit)}: too many VUs for one process — spread them with --workers or shards, or raise the limit (NODE_OPTIONS=--max-old-space-size=<MiB>)`);
    this.#abortedBy = 'memory';
    return true;
  }

  /** A VU for setup, teardown and phase hooks (id 0). */
  #hookVu(s: Started, signal: AbortSignal): EngineVu {
    return this.#o.createVu({ id: 0, phase: () => this.#state.phase, signal, globals: s.globals, random: s.vuRandom });
  }

  async #runSteps(vu: EngineVu, steps: readonly Step[], label: string): Promise<void> {
    try {
      await vu.runSteps(steps);
    } catch (err) {
      this.#warn(`${label} failed: ${message(err)}`);
    } finally {
      await Promise.resolve(vu.close()).catch(() => undefined);
    }
  }

  /** Runs the whole run once and resolves to its Report (outputs have been given it). */
  async start(): Promise<Report> {
    if (this.#started) throw new Error('a Run runs once');
    this.#started = true;
    const { plan } = this.#o;
    const seed = this.#o.seed ?? Math.floor(Math.random() * 2 ** 32);
    const warm = this.#o.warmUp;
    const warmCode = warm !== undefined && !this.#loadCtl.signal.aborted ? await warm.code(this.#loadCtl.signal).catch((err: unknown) => void this.#warn(`warm-up: ${message(err)}`)) : undefined;
    if (this.#o.prepare !== undefined && !this.#loadCtl.signal.aborted) await this.#o.prepare(this.#loadCtl.signal).catch((err: unknown) => void this.#warn(`prepare: ${message(err)}`));
    const lag = createLagMonitor();
    const startedAt = this.#clock.now();
    const blocks = blocksOf(plan);
    const s = this.#prepare(startedAt, seed, openModelsOf(blocks), lag);
    s.warmCode = warmCode;
    lag.start();
    s.judge.start(startedAt);
    const plannedMs = plannedDurationMs(blocks);
    await this.#outputs.start({
      runId: this.runId,
      scenarioName: plan.name,
      target: plan.target,
      startedAt,
      ...(plannedMs !== undefined ? { plannedDurationMs: plannedMs } : {}),
      phases: blocks.flatMap((b) => phaseDefsOf(b.load)).map((p) => ({ name: p.name, durationMs: p.durationMs, ...(p.iterations !== undefined ? { iterations: p.iterations } : {}) })),
    });
    const ticker = startTicker(this.#clock, startedAt, this.#o.intervalMs ?? 1000, () => s.intervals.tick(false));
    const reportOf = (provisional: boolean): Promise<Report> =>
      runReport(
        {
          plan,
          version: this.#o.version ?? '0.0.0',
          runId: this.runId,
          startedAt,
          clock: this.#clock,
          registry: this.#o.registry,
          tracker: s.tracker,
          lag,
          judge: s.judge,
          intervals: s.intervals,
          phases: s.phases,
          warnings: this.#warnings,
          warn: (m) => this.#warn(m),
          ending: () => ({
            ...(this.#abortReason !== undefined ? { stopped: { reason: this.#abortReason, ...(this.#abortedBy !== undefined ? { by: this.#abortedBy } : {}) } } : {}),
            ...(s.setupFailed !== undefined ? { setupFailed: s.setupFailed } : {}),
          }),
          warmUp: () => (warm !== undefined ? warmUpReport(s.warmCode ?? undefined, s.warmConns ?? undefined, s.warmStart) : undefined),
          ...heldBackOf(this.#o.pacer),
          ...(this.#o.scenarioText !== undefined ? { scenarioText: this.#o.scenarioText } : {}),
        },
        provisional,
      );
    try {
      await this.#setupAndLoad(s, blocks, () => lag.loadStarted());
    } finally {
      await this.#teardown(s, reportOf);
      ticker.stop();
      await s.judge.stop();
    }
    const report = await reportOf(false);
    await this.#outputs.end(report);
    return report;
  }

  /** The judge, the journey tracker and the intervals of a run starting at `startedAt`. */
  #prepare(startedAt: number, seed: number, openModels: ReturnType<typeof openModelsOf>, lag: LagMonitor): Started {
    const { plan, registry } = this.#o;
    const vuRandom = seededRandom(seed ^ 0x5bd1e995);
    const judge = createJudge({
      plan,
      ...(this.#o.external !== undefined ? { external: this.#o.external } : {}),
      ...(this.#o.judged === false ? { judges: false } : {}),
      onAbort: (reason) => {
        if (this.#abortReason !== undefined) return false;
        this.abort(reason);
        return true;
      },
    });
    const s = { startedAt, seed, vuRandom, judge, phases: [], globals: { ...plan.variables } } as Partial<Started> as Started;
    const tracker = new JourneyTracker(registry, this.#o.createVu, this.#cutCtl.signal, () => this.#state.phase, () => s.globals, vuRandom, (err) => this.#warn(`journey error: ${message(err)}`), () => this.#checkStop());
    const warn = (m: string): void => this.#warn(m);
    const beforeTick = (): void => {
      this.#checkStop();
      this.#overMemory(tracker.vus);
    };
    Object.assign(s, {
      tracker,
      intervals: createIntervals({ clock: this.#clock, registry, startedAt, openModels, origin: () => s.origin, tracker, state: this.#state, judge, outputs: this.#outputs, warn, beforeTick, stalls: () => lag.second(), ...heldBackOf(this.#o.pacer) }),
    });
    return s;
  }

  /** Setup (its captures are visible to every journey), the load, the graceful stop. */
  async #setupAndLoad(s: Started, blocks: ReturnType<typeof blocksOf>, loadStarted: () => void): Promise<void> {
    const { plan } = this.#o;
    if (plan.setup.length > 0 && !this.#loadCtl.signal.aborted) {
      const vu = this.#hookVu(s, this.#cutCtl.signal);
      try {
        const captured = await vu.runSteps(plan.setup);
        s.globals = Object.freeze({ ...plan.variables, ...captured });
      } catch (err) {
        s.setupFailed = `setup failed: ${message(err)}`;
      } finally {
        await Promise.resolve(vu.close()).catch(() => undefined);
      }
    }
    if (s.setupFailed !== undefined || this.#loadCtl.signal.aborted) return;
    const warm = this.#o.warmUp;
    if (warm !== undefined) {
      s.warmConns = await warm.connections().catch((err: unknown) => void this.#warn(`warm-up: ${message(err)}`));
      s.warmStart = await warm.beforeLoad();
    }
    s.origin = this.#clock.now();
    loadStarted();
    await runBlocks({
      plan,
      blocks,
      clock: this.#clock,
      seed: s.seed,
      startedAt: s.startedAt,
      origin: s.origin,
      loadSignal: this.#loadCtl.signal,
      tracker: s.tracker,
      state: this.#state,
      phases: s.phases,
      runHook: (steps, label) => this.#runSteps(this.#hookVu(s, this.#cutCtl.signal), steps, label),
      overMemory: () => this.#overMemory(s.tracker.vus),
      ...(this.#o.pacer !== undefined ? { pacer: this.#o.pacer } : {}),
      ...(this.#o.shard !== undefined ? { shard: this.#o.shard } : {}),
    });
    // Graceful stop: running journeys get gracefulStopMs, then are cut (interrupted).
    if (s.tracker.active > 0) {
      this.#state.doing = 'graceful-stop';
      const stuck = await s.tracker.drain(plan.gracefulStopMs, this.#cutCtl, SETTLE_MS);
      if (stuck > 0) this.#warn(`${stuck} journeys did not stop within ${SETTLE_MS} ms of being interrupted`);
    }
  }

  /** Teardown runs even when the run was aborted. */
  async #teardown(s: Started, reportOf: (provisional: boolean) => Promise<Report>): Promise<void> {
    const { plan } = this.#o;
    if (plan.teardown.length === 0) return;
    // An aborted run's report is given to the outputs before its teardown (which may be slow, or
    // be left by a second signal) and again after it: a signal during teardown counts too.
    let before: Promise<void> | undefined;
    const early = (): void =>
      void (before ??= reportOf(true).then((r) => this.#outputs.provisional(r)).catch((err: unknown) => this.#warn(`the report before teardown: ${message(err)}`)));
    if (this.#abortReason !== undefined) early();
    // After abort() returns: it may have more to set (a memory stop sets its exit code after).
    else this.#onAbort = () => queueMicrotask(early);
    this.#state.phase = this.#state.doing = 'teardown';
    await this.#runSteps(this.#hookVu(s, new AbortController().signal), plan.teardown, 'teardown');
    this.#onAbort = undefined;
    await before;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
