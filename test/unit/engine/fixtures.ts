/** Hand-built Plans and fake VUs for engine unit tests (the real VU is tested in test/unit/journey). */
import type { JourneyPlan, LoadPlan, Plan, Step, ThresholdPlan } from '../../../src/scenario/plan.js';
import { systemClock, type Clock, type EngineVu, type EngineVuOptions, type IterationOutcome, type VuFactory } from '../../../src/engine/types.js';

export function journey(name: string, weight = 1): JourneyPlan {
  return { name, weight, steps: [], tags: {} };
}

export function plan(load: LoadPlan, over: Partial<Plan> = {}): Plan {
  return {
    name: 'unit',
    source: { file: '/tmp/unit.yaml', hash: 'abc' },
    target: 'http://127.0.0.1:1',
    http: {
      timeoutMs: 1000,
      connectTimeoutMs: 1000,
      connections: 10,
      connectionPolicy: 'shared',
      keepAlive: true,
      headers: [],
      tlsVerify: true,
      followRedirects: true,
      maxRedirects: 5,
      maxResponseBytes: 1 << 20,
      http2: false,
      cookies: true,
      compression: true,
    },
    variables: {},
    secrets: [],
    data: [],
    load,
    journeys: [journey('main')],
    setup: [],
    teardown: [],
    thresholds: [],
    gracefulStopMs: 1000,
    warmUp: false,
    ...over,
  };
}

export function threshold(metric: string, source: string, agg: ThresholdPlan['expr']['agg'], op: ThresholdPlan['expr']['op'], value: number, extra: Partial<ThresholdPlan> = {}): ThresholdPlan {
  return {
    key: metric,
    metric,
    filter: {},
    expr: { source, agg, op, value },
    abortOnFail: false,
    delayAbortEvalMs: 0,
    pos: { file: '/tmp/unit.yaml', line: 1, col: 1 },
    ...extra,
  };
}

export const logStep = (label: string): Step => ({ kind: 'log', message: { source: label, parts: [label], single: false }, pos: { file: 'x', line: 1, col: 1 } });

export interface FakeEvent {
  readonly kind: 'iteration' | 'steps' | 'close';
  readonly vu: number;
  readonly at: number;
  readonly journey?: string;
  readonly scheduledAt?: number;
  readonly phase: string;
  readonly globals: Readonly<Record<string, unknown>>;
  readonly steps?: readonly Step[];
}

/**
 * A VU factory whose iterations take `durationMs` (or until cut: then 'interrupted'), recording
 * every call. `captures` is what runSteps returns. Events are stamped by `clock`: give it the Run's, so
 * an event's `at` and its `scheduledAt` are read on one clock (default: the Run's default).
 */
export function fakeVus(opts: { durationMs?: number | (() => number); captures?: Record<string, unknown>; outcome?: IterationOutcome; clock?: Clock } = {}): { factory: VuFactory; events: FakeEvent[] } {
  const events: FakeEvent[] = [];
  const clock = opts.clock ?? systemClock;
  const factory: VuFactory = (o: EngineVuOptions): EngineVu => ({
    async runIteration(j, scheduledAt) {
      events.push({ kind: 'iteration', vu: o.id, at: clock.now(), journey: j.name, scheduledAt, phase: o.phase(), globals: o.globals });
      const d = typeof opts.durationMs === 'function' ? opts.durationMs() : (opts.durationMs ?? 0);
      if (o.signal.aborted) return 'interrupted';
      const cut = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), d);
        o.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve(true);
        }, { once: true });
      });
      return cut ? 'interrupted' : (opts.outcome ?? 'completed');
    },
    async runSteps(steps) {
      events.push({ kind: 'steps', vu: o.id, at: clock.now(), phase: o.phase(), globals: o.globals, steps });
      return { ...(opts.captures ?? {}) };
    },
    close() {
      events.push({ kind: 'close', vu: o.id, at: clock.now(), phase: o.phase(), globals: o.globals });
    },
  });
  return { factory, events };
}
