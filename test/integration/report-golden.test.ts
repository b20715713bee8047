/**
 * The report of a fixed-seed run stays the same: a small deterministic scenario (one VU, a fixed
 * number of iterations, seeded picks and random values) against a local server, its JSON report
 * normalized for what time decides (instants, durations, latencies, per-second rates, the timeline,
 * the machine) and compared with a stored golden report. A refactoring of the engine, the judge or
 * the reports that changes what a run reports fails here.
 *
 * After an intended change of the report, regenerate the golden file: UPDATE_GOLDEN=1 npx vitest run
 * test/integration/report-golden.test.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { runCli, scenarioFile } from '../support/run-helpers.js';

const GOLDEN = new URL('../fixtures/golden/fixed-seed-report.json', import.meta.url);

const SCENARIO = `
name: golden
target: http://127.0.0.1:1
load:
  vus: 1
  iterations: 12
  maxDuration: 1m
journeys:
  - name: browse
    weight: 3
    steps:
      - name: list
        get: /items
        expect: { status: 200 }
        check: { three_items: { json: $.count, equals: 3 } }
        capture: { first: { json: $.first } }
      - name: item
        get: /items/{{ random.int(1, 4) }}
        expect: { status: 200 }
        check: { even_item: { json: $.even, equals: true } }
  - name: miss
    weight: 1
    steps:
      - name: missing
        get: /missing
        expect: { status: 404 }
      - name: broken
        get: /broken
        check: { answered: { status: 200 } }
thresholds:
  http.requests: ["count >= 1"]
  "checks{check:three_items}": ["rate == 1"]
  "checks{check:even_item}": ["rate > 0.99"]
  "http.latency{step:list}": ["p(99) < 10s"]
  "journeys.failed": ["count == 0"]
gracefulStop: 5s
`;

/** Keys whose values time or the machine decide. */
const VOLATILE = new Set(['runId', 'startedAt', 'endedAt', 'durationMs', 'startOffsetMs', 'endOffsetMs', 'environment', 'generator', 'timeline', 'hist', 'host']);
/** Summary statistics of latencies (and rates per second). */
const TIMED = new Set(['avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'med', 'observed', 'rps']);

function normalize(v: unknown, timed = false): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(x, timed));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  // A trend's values are times (or sums of them); a counter's rate is per second of the run.
  const isTrend = o.type === 'trend';
  const isCounter = o.type === 'counter';
  // A gauge is sampled per interval (how many depends on time); a threshold on a latency observes a time.
  if (o.type === 'gauge') return { metric: o.metric, tags: normalize(o.tags), type: o.type, unit: o.unit };
  if (typeof o.expression === 'string' && /p\(|avg|min|max|med/.test(o.expression)) timed = true;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) {
    if (VOLATILE.has(k)) out[k] = '<volatile>';
    else if ((timed || isTrend) && TIMED.has(k) && typeof x === 'number') out[k] = '<time>';
    else if (isTrend && k === 'sum') out[k] = '<time>';
    else if ((isTrend || isCounter) && k === 'rate') out[k] = '<per-second>';
    else if (k === 'latency' || k === 'duration' || k === 'latencyMs' || k === 'steps') out[k] = normalize(x, true);
    else out[k] = normalize(x, timed);
  }
  return out;
}

let app: FastifyInstance;
let url: string;
const hits = new Map<string, number>();
beforeAll(async () => {
  app = Fastify({ logger: false, forceCloseConnections: true });
  app.addHook('onRequest', async (req) => void hits.set(req.url, (hits.get(req.url) ?? 0) + 1));
  app.get('/items', async () => ({ count: 3, first: 1 }));
  app.get<{ Params: { id: string } }>('/items/:id', async (req) => ({ id: Number(req.params.id), even: Number(req.params.id) % 2 === 0 }));
  app.get('/missing', async (_req, reply) => reply.code(404).send({ error: 'not here' }));
  app.get('/broken', async (_req, reply) => reply.code(500).send({ error: 'broken' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
});
afterAll(async () => {
  await app.close();
});

const golden = async (): Promise<Record<string, unknown>> => JSON.parse(await readFile(GOLDEN, 'utf8').catch(() => '{}')) as Record<string, unknown>;

describe('the report of a fixed-seed run', () => {
  // One process, and two worker threads merged by the aggregator: each has its golden report.
  it.each([
    ['one process', []],
    ['two worker threads', ['--workers', '2']],
  ])('is the golden report, apart from timestamps, durations and latencies (%s)', async (mode, flags) => {
    hits.clear();
    const { dir, file } = await scenarioFile(SCENARIO);
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--target', url, '--seed', '42', '--out', out, '--quiet', ...flags], { cwd: dir, env: {} });
    expect(r.stderr).not.toContain('internal error');
    const report = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
    const got = {
      exitCode: r.code,
      hits: Object.fromEntries([...hits].sort(([a], [b]) => a.localeCompare(b))),
      report: normalize({
        ...report,
        scenario: { ...(report.scenario as object), target: '<target>', file: '<file>' },
        // A busy machine may find its own generator overloaded: not what this run is about.
        warnings: (report.warnings as string[]).filter((w) => !w.startsWith('the load generator')),
      }),
    };
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(GOLDEN, `${JSON.stringify({ ...(await golden()), [mode]: got }, null, 2)}\n`);
    expect(got).toEqual((await golden())[mode]);
  });
});
