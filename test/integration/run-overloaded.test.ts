/**
 * An open-model load the generator cannot start on time is called overloaded, in the report and in
 * a warning, even when its event loop never runs 50 ms late: far more arrivals asked of one process
 * than it sends drop at `load.maxVus` while the loop is busy throughout
 * (`performance.eventLoopUtilization`). The same drops behind a slow service are the service's: the
 * loop idles while the VUs wait, and nothing blames the generator.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { OVERLOAD_BUSY } from '../../src/engine/health.js';
import { runCli, scenarioFile, validateReport } from '../support/run-helpers.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

let server: TargetServer;

beforeAll(async () => {
  server = await startTargetServer();
});
afterAll(async () => {
  await server.close();
});

const openLoad = (rate: number, maxVus: number, path: string): string => `
name: overloaded
target: http://127.0.0.1:1
warmUp: false
http: { connections: 20 }
load:
  phases: [{ name: steady, duration: 1500ms, rate: ${rate} }]
  maxVus: ${maxVus}
gracefulStop: 3s
journeys:
  - name: j
    steps:
      - { name: get, get: "${path}" }
`;

async function run(text: string): Promise<{ report: Report; stdout: string; stderr: string }> {
  const { dir, file } = await scenarioFile(text);
  const out = join(dir, 'report.json');
  const r = await runCli(['run', file, '--target', server.url, '--out', out], { cwd: dir, env: {} });
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  expect(validateReport(report)).toEqual([]);
  return { report, stdout: r.stdout, stderr: r.stderr };
}

describe('a generator asked for more arrivals than it starts', () => {
  it('is called overloaded, with how busy its loop was and how many arrivals it dropped', async () => {
    const { report, stdout } = await run(openLoad(100_000, 200, '/text'));
    const g = report.generator;
    expect(g.droppedArrivals).toBeGreaterThan(10_000);
    expect(g.eventLoopBusy).toBeGreaterThanOrEqual(OVERLOAD_BUSY);
    expect(g.overloaded).toBe(true);
    const warning = report.warnings.find((w) => w.startsWith('the load generator was overloaded'));
    expect(warning).toMatch(/event loop busy \d+ % of the load, .* dropped arrivals\): it could not start the planned arrivals on time/);
    expect(stdout).toMatch(/busy \d+% of the load/);
  });

  it('is not, when the arrivals drop because a slow service keeps its VUs', async () => {
    const { report } = await run(openLoad(200, 10, '/slow?ms=300'));
    const g = report.generator;
    expect(g.droppedArrivals).toBeGreaterThan(100);
    expect(g.eventLoopBusy).toBeLessThan(OVERLOAD_BUSY);
    expect(g.overloaded).toBe(false);
    expect(report.warnings.some((w) => w.includes('overloaded'))).toBe(false);
    expect(report.warnings.some((w) => w.includes('arrivals dropped: maxVus reached'))).toBe(true);
  });
});
