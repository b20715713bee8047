/**
 * The warm-up: what a run does before its load starts so that its first second measures like its
 * tenth. A cold Node process spends its first thousands of requests compiling rampart's and
 * undici's code, instantiating WebAssembly (the HTTP parser, the histograms) and opening
 * connections; done during the load, all of it lands in the user's percentiles.
 *
 * Five parts, all reported in the run's `generator.warmUp`:
 * - **garbage**: first, the CLI's process collects the garbage of its start (modules, the scenario,
 *   a `--baseline` report) in one full collection, so that V8 does not finish collecting it with a
 *   pause inside the load (src/engine/own-process.ts);
 * - **code**: a short run of a fixed two-step journey through the same engine, journey, HTTP and
 *   metrics code, against a server of its own on 127.0.0.1 (never the target), recorded into a
 *   scratch registry that is thrown away; then the CLI's process collects its garbage once more,
 *   keeping the compiled code, so that no marking the warm-up started ends inside the load;
 * - **connections**: with shared connections, the target's connections are opened (TCP, and TLS
 *   for https) right before the load, without a request; the first requests use them;
 * - **settling**: right before the load's clock starts, the CLI's process waits, idle, until its
 *   helper threads have finished what the warm-up left them (optimizing its hot functions,
 *   sweeping), at most {@link SETTLE_MAX_MS}, so that work does not preempt the first requests;
 * - **threads**: for an open-model load, the process's helper threads (V8's compiler and GC
 *   workers, libuv's pool) drop to the lowest CPU priority as the load starts (with one CPU, to
 *   Linux's idle scheduling policy too), so the compiling the load still causes runs in the event
 *   loop's idle time instead of preempting it
 *   (src/engine/helper-threads.ts; only the CLI's own process, on Linux). A closed-model load is
 *   left alone: a saturated closed loop has no idle time, and starved compiles slowed its first
 *   seconds by up to a third.
 *
 * Nothing is sent to the target but those connection handshakes. A scenario turns it off with
 * `warmUp: false`.
 */
import type { Plan } from '../scenario/plan.js';
import { parseScenarioText } from '../scenario/index.js';
import { createRegistry, type MetricsRegistry } from '../metrics/registry.js';
import type { PreconnectResult } from '../http/index.js';
import type { WarmUpReport } from '../report/model.js';
import type { OwnProcess } from './own-process.js';
import { startWarmServer } from './warm-server.js';

/**
 * Most iterations of the warm-up journey on the closed-model block (four requests each), for a
 * load of thousands of requests a second. V8 optimizes a function only after thousands of calls;
 * fewer left the request path to be compiled during the first second of such a load, on the same
 * core, and that second's latencies were the generator's. A smaller load gets a smaller warm-up
 * (see {@link warmUpSize}): it has less to lose, and a 1-VU run should not wait a second to start.
 */
export const WARM_UP_ITERATIONS = 1_000;
/** The fewest iterations of a warm-up. */
export const WARM_UP_MIN_ITERATIONS = 100;
/** Highest rate and duration of the open-model block that runs beside it for an open load (one VU per arrival). */
export const WARM_UP_OPEN_RATE = 2_000;
export const WARM_UP_OPEN_MS = 250;
/** The code warm-up stops after this long whatever it did, ms. */
export const WARM_UP_MAX_MS = 1_500;
/** Connections opened at once ahead of the load (a burst of SYNs would overflow the target's accept queue). */
export const PRECONNECT_PARALLEL = 32;
/** The connection warm-up waits at most this long, ms (a target that does not answer costs no more). */
export const PRECONNECT_MAX_MS = 3_000;
/** At most this many connections are opened ahead of the load. */
export const PRECONNECT_MAX = 1_000;
/** The wait for the helper threads to go idle before the load stops after this long, ms. */
export const SETTLE_MAX_MS = 250;

/** What the code warm-up did. */
export interface CodeWarmUp {
  /** Requests sent to the warm-up server. */
  readonly requests: number;
  readonly durationMs: number;
  /** The full garbage collection before it (ms; included in durationMs), when one was done. */
  readonly gcMs?: number;
  /** The full garbage collection after it, which keeps compiled code (ms; included in durationMs), when one was done. */
  readonly gcAfterMs?: number;
}

/** The process's full garbage collections around the code warm-up (when the run owns the process). */
export interface WarmUpCollections {
  /** Before: drops the start's garbage, compiled code with it (see {@link OwnProcess.collectGarbage}). */
  before(): Promise<number | undefined>;
  /** After: keeps compiled code (see {@link OwnProcess.collectKeepingCode}). */
  after(): number | undefined;
}

/** What the Run needs of a warm-up (see {@link createWarmUp}). */
export interface WarmUp {
  /** Warms the code; runs once (later calls return the first result). `signal` cuts it short. */
  code(signal?: AbortSignal): Promise<CodeWarmUp>;
  /** Opens the target's connections ahead of the load. */
  connections(): Promise<PreconnectResult & { readonly durationMs: number }>;
  /**
   * Right before the load: waits until the helper threads are idle (how long, ms; undefined when
   * not done), then lowers their priority for an open-model load (how many it lowered, and how many
   * got the idle scheduling policy).
   */
  beforeLoad(): Promise<{ readonly settleMs: number | undefined; readonly threadsLowered: number; readonly threadsIdle: number }>;
}

/**
 * Runs `plan` (the warm-up journey against the warm-up server) to its end with the engine,
 * recording into `sink`; `signal` aborts it.
 */
export type WarmUpRunner = (plan: Plan, sink: MetricsRegistry, signal?: AbortSignal) => Promise<void>;

/**
 * The warm-up scenario: the request path of a typical journey (templates, expectations, a check,
 * captures, a JSON body, and bare steps, so the code meets more than one step shape) on a
 * closed-model block and, for an open load, an open-model block beside it whose arrivals each open
 * and close a VU as the load's do.
 */
function warmScenario(url: string, size: WarmUpSize): string {
  const open =
    size.openRate > 0
      ? `
  - name: open
    journeys: [warm]
    phases: [{ name: arrivals, duration: ${WARM_UP_OPEN_MS}ms, rate: ${size.openRate} }]
    maxVus: 1000`
      : '';
  return `name: warm-up
target: ${url}
http: { connections: ${size.vus}, timeout: 5s }
warmUp: false
load:
  - name: closed
    journeys: [warm]
    vus: ${size.vus}
    iterations: ${size.iterations}
    maxDuration: ${WARM_UP_MAX_MS}ms${open}
gracefulStop: 200ms
journeys:
  - name: warm
    steps:
      - name: read
        get: "/items/{{ vu.id }}?i={{ iteration }}"
        expect: { status: 200 }
        check: { ok: { json: $.ok, equals: true } }
        capture: { id: { json: $.id } }
      - name: write
        post: /items
        json: { id: "{{ id }}", n: 1 }
        expect: { status: 200 }
      - get: /
      - get: /items
        expect: { status: 200 }
`;
}

/** How much warm-up a plan gets. */
export interface WarmUpSize {
  /** VUs (and connections) of the closed block. */
  readonly vus: number;
  /** Iterations of the closed block (four requests each). */
  readonly iterations: number;
  /** Arrivals per second of the open block ({@link WARM_UP_OPEN_MS} long); 0: no open block. */
  readonly openRate: number;
}

/**
 * The warm-up a plan gets, from the requests per second its load can ask for: an open load's
 * highest arrival rate, a closed load's highest VU count × 100, at most its planned iterations. Half
 * that many iterations (four requests each), between {@link WARM_UP_MIN_ITERATIONS} and
 * {@link WARM_UP_ITERATIONS}; open-model arrivals beside them when the plan has an open load.
 */
export function warmUpSize(plan: Plan): WarmUpSize {
  const models = plan.load.model === 'blocks' ? plan.load.blocks.map((b) => b.load) : [plan.load];
  let perSecond = 0;
  let openRate = 0;
  for (const m of models) {
    if (m.model === 'open') {
      let peak = 0;
      for (const ph of m.phases) peak = Math.max(peak, ph.rate, ph.rampTo ?? 0, ph.arrivals !== undefined && ph.durationMs > 0 ? (ph.arrivals * 1000) / ph.durationMs : 0);
      perSecond += peak;
      openRate = Math.max(openRate, Math.min(WARM_UP_OPEN_RATE, Math.round(peak)));
    } else {
      const vus = Math.max(m.startVus, ...m.stages.map((st) => st.target));
      const planned = m.iterations ?? (m.iterationsPerVu !== undefined ? m.iterationsPerVu * vus : Infinity);
      perSecond += Math.min(vus * 100, planned);
    }
  }
  const iterations = Math.round(Math.min(WARM_UP_ITERATIONS, Math.max(WARM_UP_MIN_ITERATIONS, perSecond / 2)));
  return { vus: Math.min(16, Math.max(1, plan.http.connections)), iterations, openRate };
}

/**
 * Warms the code: first collects the garbage of the process's start with `collect` (when the run
 * owns the process), then starts the warm-up server, runs the warm-up journey sized by `size` with
 * `run`, stops the server. `signal` (the run being stopped) cuts it short.
 */
export async function warmUpCode(size: WarmUpSize, run: WarmUpRunner, signal?: AbortSignal, collect?: WarmUpCollections): Promise<CodeWarmUp> {
  const t0 = performance.now();
  // Before the warm-up, not after it: the collection also drops compiled code and feedback, which
  // the warm-up is there to build (collected after it, the load recompiled half again as much).
  const gcMs = collect !== undefined ? await collect.before() : undefined;
  const server = await startWarmServer();
  const sink = createRegistry();
  let requests = 0;
  try {
    const parsed = await parseScenarioText(warmScenario(server.url, size), 'warm-up.yaml', { env: {} }, '/warm-up.yaml');
    if (parsed.plan === undefined) throw new Error(`the warm-up scenario is invalid: ${parsed.problems.map((p) => p.message).join('; ')}`);
    await run(parsed.plan, sink, signal);
    requests = sink.cumulative().series.reduce((n, s) => (s.metric === 'http.requests' && s.type === 'counter' ? n + s.sum : n), 0);
  } finally {
    sink.dispose();
    await server.close();
  }
  // The warm-up's garbage, and the marking its allocations started: with one CPU, V8 marks in steps
  // on the event loop as the code allocates, and that marking's last pause (4–7 ms) fell on the
  // load's first requests (a 20-request smoke run's p95 at 4–7 ms against 1.5 ms steady).
  const gcAfterMs = signal?.aborted !== true ? collect?.after() : undefined;
  return { requests, durationMs: performance.now() - t0, ...(gcMs !== undefined ? { gcMs } : {}), ...(gcAfterMs !== undefined ? { gcAfterMs } : {}) };
}

/**
 * The warm-up of one run. `plan` is the user's: it says how many connections the load can use and
 * how many of them to open ahead. `code` warms the code (called once; it may have run already, e.g.
 * before a shard waited for its start time); `preconnect` is absent with per-VU connections.
 */
export function createWarmUp(
  plan: Plan,
  deps: {
    readonly code: (signal?: AbortSignal) => Promise<CodeWarmUp>;
    readonly preconnect?: (count: number, parallel: number, maxWaitMs: number) => Promise<PreconnectResult>;
    /** This process, when the run owns it (the CLI's): its helper threads and its garbage collector. */
    readonly ownProcess?: OwnProcess;
  },
): WarmUp {
  let code: Promise<CodeWarmUp> | undefined;
  return {
    code(signal) {
      code ??= deps.code(signal);
      return code;
    },
    async connections() {
      const t0 = performance.now();
      if (deps.preconnect === undefined) return { opened: 0, failed: 0, durationMs: 0 };
      const r = await deps.preconnect(Math.min(PRECONNECT_MAX, preconnectCount(plan)), PRECONNECT_PARALLEL, PRECONNECT_MAX_MS);
      return { ...r, durationMs: performance.now() - t0 };
    },
    async beforeLoad() {
      const settleMs = await deps.ownProcess?.helpersIdle(SETTLE_MAX_MS);
      const own = deps.ownProcess;
      const open = own !== undefined && hasOpenLoad(plan);
      const threadsLowered = open ? own.lowerHelperThreads() : 0;
      const threadsIdle = open ? await own.idleHelperThreads() : 0;
      return { settleMs, threadsLowered, threadsIdle, gcMarkingOnEventLoop: own?.markOnEventLoop() ?? false };
    },
  };
}

/** Whether any block of `plan` is an open-model load. */
function hasOpenLoad(plan: Plan): boolean {
  return plan.load.model === 'blocks' ? plan.load.blocks.some((b) => b.load.model === 'open') : plan.load.model === 'open';
}

/** How many connections the load can use at once: the pool size, or fewer when fewer VUs can run. */
function preconnectCount(plan: Plan): number {
  const models = plan.load.model === 'blocks' ? plan.load.blocks.map((b) => b.load) : [plan.load];
  let vus = 0;
  for (const m of models) vus += m.model === 'open' ? m.maxVus : Math.max(m.startVus, ...m.stages.map((s) => s.target));
  return Math.max(0, Math.min(plan.http.connections, vus));
}

/** The report's account of a warm-up. */
export function warmUpReport(
  code: CodeWarmUp | undefined,
  conns: (PreconnectResult & { readonly durationMs: number }) | undefined,
  start?: { readonly settleMs: number | undefined; readonly threadsLowered: number; readonly threadsIdle?: number; readonly gcMarkingOnEventLoop?: boolean },
): WarmUpReport {
  const settleMs = start?.settleMs;
  const gcMs = code?.gcMs;
  const gcAfterMs = code?.gcAfterMs;
  return {
    durationMs: Math.round((code?.durationMs ?? 0) + (conns?.durationMs ?? 0) + (settleMs ?? 0)),
    internalRequests: code?.requests ?? 0,
    connectionsOpened: conns?.opened ?? 0,
    connectionsFailed: conns?.failed ?? 0,
    helperThreadsLowered: start?.threadsLowered ?? 0,
    ...((start?.threadsIdle ?? 0) > 0 ? { helperThreadsIdle: start?.threadsIdle } : {}),
    ...(start?.gcMarkingOnEventLoop === true ? { gcMarkingOnEventLoop: true } : {}),
    ...(gcMs !== undefined ? { gcMs: Math.round(gcMs * 10) / 10 } : {}),
    ...(gcAfterMs !== undefined ? { gcAfterMs: Math.round(gcAfterMs * 10) / 10 } : {}),
    ...(settleMs !== undefined ? { settleMs: Math.round(settleMs * 10) / 10 } : {}),
  };
}
