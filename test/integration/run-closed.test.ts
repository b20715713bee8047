import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile, startLatencyServer, validateReport, type LatencyServer } from '../support/run-helpers.js';

let server: LatencyServer;
beforeAll(async () => {
  server = await startLatencyServer(20);
});
afterAll(async () => {
  await server.close();
});

describe('rampart run (closed model)', () => {
  it('ramps looping VUs through stages and reports them', async () => {
    const { dir, file } = await scenarioFile(`
name: closed
target: ${server.url}
load:
  stages:
    - { name: up, duration: 1s, target: 3 }
    - { name: hold, duration: 1s, target: 3 }
journeys:
  - name: loop
    steps:
      - name: work
        get: /work
        expect: { status: 200 }
      - think: 50ms
thresholds:
  "journeys.completed": ["count > 5"]
`);
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report.scenario.model).toBe('closed');
    const j = report.journeys?.[0];
    expect(j?.started).toBeGreaterThan(5);
    expect(j?.interrupted).toBe(0);
    const vus = report.series.find((s) => s.metric === 'vus');
    expect(vus?.max).toBe(3);
  });

  it('stops after the shared iteration cap', async () => {
    const { dir, file } = await scenarioFile(`
name: capped
target: ${server.url}
load:
  vus: 2
  duration: 20s
  iterations: 7
journeys:
  - name: once
    steps:
      - get: /work
`);
    const t0 = Date.now();
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.journeys?.[0]?.started).toBe(7);
  });
});
