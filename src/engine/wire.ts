/**
 * The real collaborators of a Run: one HTTP client (shared pools, or one per VU with the `per-vu`
 * connection policy), the data feeds, and a VU factory over src/journey.
 */
import type { Plan } from '../scenario/plan.js';
import type { MetricsSink } from '../metrics/types.js';
import { createHttpClient, InFlightLimit } from '../http/index.js';
import type { HttpClient } from '../http/index.js';
import { createDataFeeds, createVu, createVuShared } from '../journey/index.js';
import { seededRandom } from '../load/random.js';
import type { VuFactory } from './types.js';
import { Run } from './run.js';
import { createWarmUp, warmUpCode, warmUpSize, type CodeWarmUp, type WarmUp } from './warm-up.js';
import { createProcessProtocols } from './protocols.js';
import type { OwnProcess } from './own-process.js';
import type { Pacer } from './run-options.js';

export interface RunCollaborators {
  readonly createVu: VuFactory;
  /** The run's limit on requests in flight (src/http/in-flight-limit.ts), shared by its clients. */
  readonly pacer: Pacer;
  /** The name of a unique data feed that ran out (`onExhausted: stop`): the load should end. */
  exhausted(): string | undefined;
  /** Closes the HTTP client(s) and the Kafka and Redis clients. */
  close(): Promise<void>;
  /** Starts what must run before the load (each consumed Kafka topic's consumer); never rejects. */
  prepare(signal?: AbortSignal): Promise<void>;
  /** The warm-up for this plan's run (absent when the scenario says `warmUp: false`). */
  readonly warmUp?: WarmUp;
}

/**
 * @param opts.sink where VUs record (the run's registry).
 * @param opts.log where `log` steps write (already a line; the caller redacts).
 * @param opts.seed seed of the data feeds' random order (default random).
 * @param opts.partition this run's shard: its own slice of every data feed.
 */
export function createRunCollaborators(
  plan: Plan,
  opts: {
    readonly sink: MetricsSink;
    readonly log: (line: string) => void;
    readonly seed?: number;
    /** Shard `index` of `count`: the data feeds hold only rows index, index + count, … (unique rows never shared). */
    readonly partition?: { readonly index: number; readonly count: number };
    /** The code warm-up, when it already ran (see {@link warmUpGenerator}). */
    readonly warmedUp?: Promise<CodeWarmUp>;
    /** This process, when the run owns it (src/engine/own-process.ts). */
    readonly ownProcess?: OwnProcess;
  },
): RunCollaborators {
  const perVu = plan.http.connectionPolicy === 'per-vu';
  // One limit on the requests in flight for all the run's clients: they share one event loop. Open
  // arrivals wait as due times while the loop is busy and as many requests wait for a connection as
  // the pool has (with a connection per VU, nothing waits for another's).
  const limit = new InFlightLimit({ holdArrivalsFrom: perVu ? Infinity : plan.http.connections * 2 });
  const clientOptions = { http: plan.http, target: plan.target, limit };
  const client: HttpClient | undefined = perVu ? undefined : createHttpClient(clientOptions);
  const allData = createDataFeeds(plan.data, { random: opts.seed !== undefined ? seededRandom(opts.seed) : Math.random });
  const data = opts.partition !== undefined ? allData.partition(opts.partition.index, opts.partition.count) : allData;
  // Compiled recipes, regexes and metric handles shared by every VU of the run.
  const shared = createVuShared();
  // Kafka and Redis clients of this process, shared by every VU like the HTTP pools.
  const protocols = createProcessProtocols(plan, { sink: opts.sink, log: opts.log });

  // The journey's VU is the engine's (it has runIteration, runSteps and close; per-vu, close shuts
  // the connections it opened): no wrapper object and closures per VU, which an open load makes per arrival.
  const factory: VuFactory = (o) =>
    createVu({
      plan,
      id: o.id,
      ...(client !== undefined ? { client } : { clientFactory: () => createHttpClient(clientOptions) }),
      sink: opts.sink,
      data,
      globals: o.globals,
      phase: o.phase,
      random: o.random,
      signal: o.signal,
      log: opts.log,
      shared,
      protocols: protocols.clients,
    });

  const warmUp = plan.warmUp
    ? createWarmUp(plan, {
        code: (signal) => opts.warmedUp ?? warmUpGenerator(plan, signal, opts.ownProcess),
        ...(client?.preconnect !== undefined ? { preconnect: client.preconnect } : {}),
        ...(opts.ownProcess !== undefined ? { ownProcess: opts.ownProcess } : {}),
      })
    : undefined;

  return {
    createVu: factory,
    pacer: limit,
    exhausted: () => data.exhausted,
    close: async () => {
      await Promise.all([client?.close(), protocols.close()]);
    },
    prepare: (signal) => protocols.prepare(signal),
    ...(warmUp !== undefined ? { warmUp } : {}),
  };
}

/**
 * Warms this process's code for `plan`'s run (src/engine/warm-up.ts): the warm-up journey through
 * this engine against the warm-up server. `signal` cuts it short.
 */
export function warmUpGenerator(plan: Plan, signal?: AbortSignal, ownProcess?: OwnProcess): Promise<CodeWarmUp> {
  const collect = ownProcess !== undefined ? { before: () => ownProcess.collectGarbage(), after: () => ownProcess.collectKeepingCode() } : undefined;
  return warmUpCode(warmUpSize(plan), async (warmPlan, sink, stop) => {
    const c = createRunCollaborators(warmPlan, { sink, log: () => undefined, seed: 1 });
    const run = new Run({ plan: warmPlan, registry: sink, createVu: c.createVu, seed: 1, intervalMs: 100 });
    const onStop = (): void => run.abort('the run was stopped during its warm-up');
    stop?.addEventListener('abort', onStop, { once: true });
    if (stop?.aborted === true) onStop();
    try {
      await run.start();
    } finally {
      stop?.removeEventListener('abort', onStop);
      await c.close();
    }
  }, signal, collect);
}
