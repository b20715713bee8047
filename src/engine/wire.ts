/**
 * The real collaborators of a Run: one HTTP client (shared pools, or one per VU with the `per-vu`
 * connection policy), the data feeds, and a VU factory over src/journey.
 */
import type { Plan } from '../scenario/plan.js';
import type { MetricsSink } from '../metrics/types.js';
import { createHttpClient } from '../http/index.js';
import type { HttpClient } from '../http/index.js';
import { createDataFeeds, createVu, createVuShared } from '../journey/index.js';
import { seededRandom } from '../load/random.js';
import type { EngineVu, VuFactory } from './types.js';

export interface RunCollaborators {
  readonly createVu: VuFactory;
  /** The name of a unique data feed that ran out (`onExhausted: stop`): the load should end. */
  exhausted(): string | undefined;
  /** Closes the HTTP client(s). */
  close(): Promise<void>;
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
  },
): RunCollaborators {
  const perVu = plan.http.connectionPolicy === 'per-vu';
  const client: HttpClient | undefined = perVu ? undefined : createHttpClient({ http: plan.http, target: plan.target });
  const allData = createDataFeeds(plan.data, { random: opts.seed !== undefined ? seededRandom(opts.seed) : Math.random });
  const data = opts.partition !== undefined ? allData.partition(opts.partition.index, opts.partition.count) : allData;
  // Compiled recipes, regexes and metric handles shared by every VU of the run.
  const shared = createVuShared();

  const factory: VuFactory = (o) => {
    const vu = createVu({
      plan,
      id: o.id,
      ...(client !== undefined ? { client } : { clientFactory: () => createHttpClient({ http: plan.http, target: plan.target }) }),
      sink: opts.sink,
      data,
      globals: o.globals,
      phase: o.phase,
      random: o.random,
      signal: o.signal,
      log: opts.log,
      shared,
    });
    const engineVu: EngineVu = {
      runIteration: (journey, scheduledAtMs) => vu.runIteration(journey, scheduledAtMs),
      runSteps: (steps) => vu.runSteps(steps),
      // per-vu: the VU closes the connections it opened.
      close: () => vu.close(),
    };
    return engineVu;
  };

  return {
    createVu: factory,
    exhausted: () => data.exhausted,
    close: async () => {
      await client?.close();
    },
  };
}
