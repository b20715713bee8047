/**
 * A run whose generator falls behind its own event loop holds load back rather than measuring its
 * own turns as the service's latency (src/http/in-flight-limit.ts): the CLI, a real HTTP target, and
 * a loop kept late on purpose, as ten thousand VUs on one core keep it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { MIN_LIMIT } from '../../src/http/in-flight-limit.js';
import { runCli, scenarioFile, validateReport } from '../support/run-helpers.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

let server: TargetServer;

beforeAll(async () => {
  server = await startTargetServer();
});
afterAll(async () => {
  await server.close();
});

const VUS = 100;

/** Blocks this process's event loop for `ms` every few ms until stopped. */
function keepLoopLate(ms: number): () => void {
  const t = setInterval(() => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // the generator's loop is busy
    }
  }, 5);
  return () => clearInterval(t);
}

describe('a generator that falls behind its event loop', () => {
  it('holds VUs back between iterations, says so live and in the report, and keeps sending', async () => {
    const { dir, file } = await scenarioFile(`
name: held-back
target: http://127.0.0.1:1
warmUp: false
http: { connections: ${VUS} }
load: { vus: ${VUS}, duration: 4s }
journeys:
  - name: j
    steps:
      - { name: get, get: /text, expect: { status: 200 } }
`);
    const out = join(dir, 'report.json');
    const stop = keepLoopLate(20);
    let r: Awaited<ReturnType<typeof runCli>>;
    try {
      r = await runCli(['run', file, '--target', server.url, '--out', out], { cwd: dir, env: {} });
    } finally {
      stop();
    }
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    const held = report.generator.heldBack;
    expect(held).toBeDefined();
    expect((held?.iterations ?? 0) + (held?.requests ?? 0)).toBeGreaterThan(0);
    expect(held?.engaged).toBeGreaterThanOrEqual(1);
    // Cut below the VUs' demand, never below its floor.
    expect(held?.lowestLimit).toBeGreaterThanOrEqual(MIN_LIMIT);
    expect(held?.lowestLimit).toBeLessThan(VUS);
    expect(report.generator.overloaded).toBe(true);
    expect(r.stderr).toContain('warning: the load generator is holding back load');
    expect(r.stdout).toContain('held back');
    expect(report.warnings.some((w) => w.startsWith('the load generator held back'))).toBe(true);
    // Held back, not stopped: the load went on, every request answered.
    expect(server.hits.get('/text') ?? 0).toBeGreaterThan(VUS);
    expect(report.verdict).toBe('passed');
  });
});
