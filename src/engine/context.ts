/**
 * What the executors share with the Run: the clock, the signals, the VU factory, and the bookkeeping
 * of running journeys (started/dropped/interrupted counters, the `vus` gauge, late arrivals).
 */
import type { JourneyPlan, Plan, Step } from '../scenario/plan.js';
import type { CounterHandle, GaugeHandle, MetricsSink } from '../metrics/types.js';
import { METRIC } from '../metrics/catalogue.js';
import type { Random } from '../load/random.js';
import { sleep, type Clock, type EngineVu, type IterationOutcome, type VuFactory } from './types.js';
import type { Pacer } from './run-options.js';

/** Executors ask {@link LoadContext.overMemory} once per this many VUs started. */
export const MEMORY_CHECK_EVERY = 1000;

/** An arrival is late when it starts more than this after its scheduled time (ms). */
export const LATE_AFTER_MS = 10;

export interface LoadContext {
  readonly plan: Plan;
  readonly clock: Clock;
  /** Draws for the schedule (poisson spacing). */
  readonly scheduleRandom: Random;
  /** Draws for journey picks. */
  readonly pickRandom: Random;
  /** Epoch ms at which the load (phase 0) starts. */
  readonly origin: number;
  /** Aborted: schedule nothing more. */
  readonly loadSignal: AbortSignal;
  readonly journeys: JourneyTracker;
  /** Marks the start/end of a phase (index into the plan's phases/stages). */
  enterPhase(index: number): void;
  leavePhase(index: number): void;
  /** Runs a phase hook to its end (errors become warnings). */
  runHook(steps: readonly Step[], label: string): Promise<void>;
  /** Called with the next VU target while a closed load runs (for live output). */
  setTargetVus?(n: number): void;
  /**
   * Whether the heap is nearly full (the run then stops itself, keeping its report). Executors ask
   * every {@link MEMORY_CHECK_EVERY} VUs they start, since a burst of VUs fills a heap within a second.
   */
  overMemory?(): boolean;
  /**
   * This run is shard `index` of `count` (worker threads, `--shard`): the open model starts only the
   * arrivals k ≡ index (mod count) of the global schedule, the closed model runs this shard's share
   * of the VU target. Absent: the whole load.
   */
  readonly shard?: ShardOfLoad;
  /**
   * This load is block `index` of `count` running at once: its VU ids interleave with the other
   * blocks' (id = (n − 1) · count + index + 1, unique across blocks) and its VUs' `phase` tag is
   * the block's own current phase. Absent: the only load.
   */
  readonly block?: { readonly index: number; readonly count: number; readonly phase: () => string };
  /**
   * The run's limit on requests in flight: a closed-model VU waits for its room before each
   * iteration, an open-model arrival while it holds arrivals.
   */
  readonly pacer?: Pick<Pacer, 'park' | 'openAll' | 'holdsArrivals'>;
}

/** The id of a block's `n`-th VU id (see LoadContext.block). */
export function blockVuId(ctx: LoadContext, n: number): number {
  return ctx.block === undefined ? n : (n - 1) * ctx.block.count + ctx.block.index + 1;
}

/** One shard of a load: 0 ≤ index < count. */
export interface ShardOfLoad {
  readonly index: number;
  readonly count: number;
}

/**
 * Shard `index`'s share of `total` whole units (VUs, iterations) split over `count` shards: the
 * shares differ by at most one and always sum to `total` exactly (lower indexes take the remainder).
 */
export function shareOf(total: number, shard: ShardOfLoad | undefined): number {
  if (shard === undefined) return total;
  return Math.floor((total + shard.count - 1 - shard.index) / shard.count);
}

export interface JourneyHandles {
  readonly started: CounterHandle;
  readonly dropped: CounterHandle;
  readonly interrupted: CounterHandle;
}

/** Tracks running journeys and records the engine-side journey metrics. */
export class JourneyTracker {
  #active = 0;
  #vusOpen = 0;
  #idle: (() => void)[] = [];
  readonly #handles = new Map<string, JourneyHandles>();
  readonly #vus: GaugeHandle;
  #late = 0;
  #dropped = 0;
  #started = 0;
  #errors = 0;

  constructor(
    private readonly sink: MetricsSink,
    private readonly createVu: VuFactory,
    private readonly cut: AbortSignal,
    private readonly phase: () => string,
    private readonly globals: () => Readonly<Record<string, unknown>>,
    private readonly random: Random,
    private readonly onError: (err: unknown) => void,
    private readonly afterIteration: () => void = () => undefined,
  ) {
    this.#vus = sink.gauge(METRIC.vus, {});
    this.#vus.set(0);
  }

  /** Journeys running right now. */
  get active(): number {
    return this.#active;
  }
  /** VUs open right now (open model: journeys in flight; closed model: looping VUs). */
  get vus(): number {
    return this.#vusOpen;
  }
  get late(): number {
    return this.#late;
  }
  get dropped(): number {
    return this.#dropped;
  }
  get started(): number {
    return this.#started;
  }
  /** Iterations that threw instead of resolving to an outcome (an engine or VU bug). */
  get errors(): number {
    return this.#errors;
  }

  handles(journey: string): JourneyHandles {
    let h = this.#handles.get(journey);
    if (!h) {
      const tags = { journey };
      h = {
        started: this.sink.counter(METRIC.journeysStarted, tags),
        dropped: this.sink.counter(METRIC.journeysDropped, tags),
        interrupted: this.sink.counter(METRIC.journeysInterrupted, tags),
      };
      this.#handles.set(journey, h);
    }
    return h;
  }

  /** Counts an arrival that could not start (maxVus reached). */
  drop(journey: JourneyPlan): void {
    this.#dropped++;
    this.handles(journey.name).dropped.add(1);
  }

  markLate(): void {
    this.#late++;
  }

  /** A new VU (1-based id); counted in the `vus` gauge until closed with {@link closeVu}. */
  openVu(id: number, phase: () => string = this.phase): EngineVu {
    this.#vusOpen++;
    this.#vus.set(this.#vusOpen);
    return this.createVu({ id, phase, signal: this.cut, globals: this.globals(), random: this.random });
  }

  async closeVu(vu: EngineVu): Promise<void> {
    this.#vusOpen--;
    this.#vus.set(this.#vusOpen);
    try {
      await vu.close();
    } catch (err) {
      this.onError(err);
    }
  }

  /** Runs one iteration on `vu`, counting it as started and (if cut) interrupted. */
  async iterate(vu: EngineVu, journey: JourneyPlan, scheduledAtMs?: number): Promise<IterationOutcome | 'error'> {
    const h = this.begin(journey);
    let outcome: IterationOutcome | 'error';
    try {
      outcome = await vu.runIteration(journey, scheduledAtMs);
    } catch (err) {
      outcome = this.threw(err);
    }
    this.end(h, outcome);
    return outcome;
  }

  /**
   * The bookkeeping of {@link iterate} around an iteration the caller waits for itself: a closed VU
   * (src/engine/closed-executor.ts) keeps no async frame alive through its every think, 10,000 of
   * them at once.
   * `begin` counts the journey as started; `end` (exactly once, whatever the outcome) ends it.
   */
  begin(journey: JourneyPlan): JourneyHandles {
    const h = this.handles(journey.name);
    this.#active++;
    this.#started++;
    h.started.add(1);
    return h;
  }

  /** An iteration that threw instead of resolving to an outcome (an engine or VU bug). */
  threw(err: unknown): 'error' {
    this.#errors++;
    this.onError(err);
    return 'error';
  }

  end(h: JourneyHandles, outcome: IterationOutcome | 'error'): void {
    if (outcome === 'interrupted') h.interrupted.add(1);
    this.#active--;
    this.afterIteration();
    if (this.#active === 0) for (const f of this.#idle.splice(0)) f();
  }

  /**
   * The graceful stop: waits up to `graceMs` for running journeys (less if `cut` aborts first),
   * then cuts them and waits up to `settleMs` for them to return. Resolves to how many are still
   * running after that.
   */
  async drain(graceMs: number, cut: AbortController, settleMs: number): Promise<number> {
    if (this.#active === 0) return 0;
    const grace = new AbortController();
    await Promise.race([this.idle(), sleep(graceMs, AbortSignal.any([grace.signal, cut.signal]))]);
    grace.abort();
    if (this.#active === 0) return 0;
    if (!cut.signal.aborted) cut.abort();
    await Promise.race([this.idle(), sleep(settleMs)]);
    return this.#active;
  }

  /** Resolves when no journey is running. */
  idle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
