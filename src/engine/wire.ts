/**
 * The real collaborators of a Run: one HTTP client (shared pools, or one per VU with the `per-vu`
 * connection policy), the data feeds, and a VU factory over src/journey.
 */
import type { Plan } from '../scenario/plan.js';
import type { MetricsSink } from '../metrics/types.js';
import { createHttpClient } from '../http/index.js';
import type { HttpClient } from '../http/index.js';
import { createDataFeeds, createVu } from '../journey/index.js';
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
 */
export function createRunCollaborators(
  plan: Plan,
  opts: { readonly sink: MetricsSink; readonly log: (line: string) => void; readonly seed?: number },
): RunCollaborators {
  const perVu = plan.http.connectionPolicy === 'per-vu';
  const shared: HttpClient | undefined = perVu ? undefined : createHttpClient({ http: plan.http, target: plan.target });
  const data = createDataFeeds(plan.data, { random: opts.seed !== undefined ? seededRandom(opts.seed) : Math.random });
  const open = new Set<HttpClient>();

  const factory: VuFactory = (o) => {
    let client = shared;
    if (client === undefined) {
      client = createHttpClient({ http: plan.http, target: plan.target });
      open.add(client);
    }
    const own = perVu ? client : undefined;
    const vu = createVu({
      plan,
      id: o.id,
      client,
      sink: opts.sink,
      data,
      globals: { ...o.globals },
      phase: o.phase,
      random: o.random,
      signal: o.signal,
      log: opts.log,
    });
    const engineVu: EngineVu = {
      runIteration: (journey, scheduledAtMs) => vu.runIteration(journey, scheduledAtMs),
      runSteps: (steps) => vu.runSteps(steps),
      close: async () => {
        await vu.close();
        if (own) {
          open.delete(own);
          await own.close();
        }
      },
    };
    return engineVu;
  };

  return {
    createVu: factory,
    exhausted: () => data.exhausted,
    close: async () => {
      await Promise.all([shared?.close(), ...[...open].map((c) => c.close())]);
    },
  };
}
