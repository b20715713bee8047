/**
 * `tagWith` end to end: a response header becomes a tag of that request's metrics, thresholds can
 * filter on it, and its cardinality is bounded (20 distinct values, then `other`).
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile } from '../support/run-helpers.js';
import { seriesOf } from './behaviour-support.js';

let app: FastifyInstance;
let url = '';
beforeAll(async () => {
  app = Fastify({ logger: false });
  // x-variant: v<n> — as many distinct values as the scenario asks for.
  app.get<{ Params: { n: string } }>('/variant/:n', async (req, reply) => reply.header('x-variant', `v${req.params.n}`).send({ ok: true }));
  app.get('/plain', async () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
});
afterAll(async () => {
  await app.close();
});

describe('tagWith', () => {
  it('tags each request with its response header, keeps 20 values per tag, records the rest as `other`', async () => {
    const { dir, file } = await scenarioFile(`
name: response-tags
target: ${url}
load:
  phases: [{ name: once, duration: 1s, arrivals: 1 }]
journeys:
  - name: j
    steps:
      - loop: 25
        steps:
          - name: variant
            get: /variant/{{ item_index }}
            tagWith: { variant: { header: X-Variant } }
      - name: plain
        get: /plain
        tagWith: { variant: { header: x-variant } }
thresholds:
  "http.requests{step:variant,variant:v0}": ["count == 1"]
  "http.requests{variant:other}": ["count == 5"]
  "http.latency{step:plain}": ["max < 5s"]
`);
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code, r.stdout).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;

    const variants = seriesOf(report, 'http.requests', { step: 'variant' });
    const values = variants.map((s) => s.tags['variant']);
    expect(values).toHaveLength(21);
    expect(new Set(values)).toEqual(new Set([...Array.from({ length: 20 }, (_, i) => `v${i}`), 'other']));
    expect(variants.find((s) => s.tags['variant'] === 'other')?.count).toBe(5);
    // Every request metric carries the tag, the scheduled latency of the journey's first request too.
    for (const metric of ['http.latency', 'http.ttfb', 'http.errors', 'data.received']) expect(seriesOf(report, metric, { step: 'variant', variant: 'v3' })).toHaveLength(1);
    expect(seriesOf(report, 'http.latency_scheduled', { step: 'variant', variant: 'v0' })).toHaveLength(1);
    // No header: the tag is left off.
    const plain = seriesOf(report, 'http.requests', { step: 'plain' });
    expect(plain).toHaveLength(1);
    expect(plain[0]?.tags['variant']).toBeUndefined();
    // Checks and journey metrics are not split by response tags.
    expect(report.series.filter((s) => s.metric === 'journey.duration').map((s) => s.tags['variant'])).toEqual([undefined]);
  });

  it('renders `metric` step tags from templates, bounded the same way (20 values per tag, then `other`)', async () => {
    const { dir, file } = await scenarioFile(`
name: metric-tags
target: ${url}
load:
  phases: [{ name: once, duration: 1s, arrivals: 1 }]
journeys:
  - name: j
    steps:
      - loop: 25
        steps:
          - get: /variant/{{ item_index }}
            capture: { ok: { json: $.ok } }
          - metric: { name: uploads, type: counter, value: 2, tags: { variant: "v{{ item_index }}", kind: fixed, ok: "{{ ok }}" } }
thresholds:
  "uploads{variant:v0,kind:fixed,ok:true}": ["count == 2"]
  "uploads{variant:other}": ["count == 10"]
`);
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    const series = seriesOf(report, 'uploads', {});
    expect(new Set(series.map((s) => s.tags['variant']))).toEqual(new Set([...Array.from({ length: 20 }, (_, i) => `v${i}`), 'other']));
    expect(series.every((s) => s.tags['kind'] === 'fixed' && s.tags['ok'] === 'true')).toBe(true);
    // Samples: one per loop turn, five of them beyond the cap (the thresholds above check the sums).
    expect(series.find((s) => s.tags['variant'] === 'other')?.count).toBe(5);
    expect(series.reduce((n, s) => n + (s.count ?? 0), 0)).toBe(25);
  });

  it('refuses an unknown variable in a `metric` tag template, at its column', async () => {
    const { dir, file } = await scenarioFile(`
name: metric-tags-bad
target: ${url}
load: { vus: 1, iterations: 1 }
journeys:
  - name: j
    steps:
      - metric: { name: m, type: counter, tags: { region: "eu-{{ regoin }}" } }
`);
    const r = await runCli(['run', file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('scenario.yaml:8:66: unknown variable `regoin` in template (at /journeys/0/steps/0/metric/tags/region) [RAMPART_TEMPLATE]');
  });

  it('refuses a response tag the engine already sets, before sending anything', async () => {
    const { dir, file } = await scenarioFile(`
name: response-tags-bad
target: ${url}
load: { vus: 1, iterations: 1 }
journeys:
  - name: j
    steps:
      - get: /plain
        tagWith: { step: { header: x-step } }
`);
    const r = await runCli(['run', file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('scenario.yaml:9:20: `step` is a tag the engine sets (at /journeys/0/steps/0/tagWith/step) [RAMPART_SEMANTIC]');
  });
});
