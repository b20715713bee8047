/**
 * scenarios/orders-websocket.yaml proves an order's completion is pushed over a WebSocket in time:
 * it passes against healthy mocks and fails, naming the ws thresholds, against `--break consumer`
 * (jobs accepted, never processed — the negative twin), where every wait times out at its timeout.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli } from '../support/run-helpers.js';
import { refusedPort } from '../support/target-server.js';
import { root, failedThresholds, runScenario, seriesOf, startBehaviourMocks, waitOrdersFlow, type BehaviourMocks } from './behaviour-support.js';

// A short version of the committed scenario: 3 s at 10 orders/s, a 2 s wait timeout.
const SHORT = { DURATION: '3s', RATE: '10', WAIT_TIMEOUT: '2s' };
const ORDERS = 3 * 10;

let healthy: BehaviourMocks;
let broken: BehaviourMocks;
beforeAll(async () => {
  [healthy, broken] = await Promise.all([startBehaviourMocks(), startBehaviourMocks(['consumer'])]);
  await waitOrdersFlow(healthy.url);
});
afterAll(async () => {
  await Promise.all([healthy?.dispose(), broken?.dispose()]);
});

const total = (xs: readonly { count: number }[]): number => xs.reduce((n, s) => n + s.count, 0);
const sum = (xs: readonly { sum: number }[]): number => xs.reduce((n, s) => n + s.sum, 0);

describe('orders-websocket.yaml', () => {
  it('passes against a working consumer: every order pushed as done over its socket', async () => {
    const r = await runScenario('orders-websocket', healthy.url, SHORT);
    expect(r.stderr).not.toContain('internal error');
    expect(failedThresholds(r.report), r.stdout).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report.journeys?.[0]).toMatchObject({ name: 'order-and-watch', completed: ORDERS, failed: 0 });
    expect(total(seriesOf(r.report, 'ws.connect', { step: 'watch' }))).toBe(ORDERS);
    expect(total(seriesOf(r.report, 'ws.message', { step: 'order-done', journey: 'order-and-watch', phase: 'steady' }))).toBe(ORDERS);
    expect(sum(seriesOf(r.report, 'ws.errors', {}))).toBe(0);
    // The ws steps have their rows in the step table, as requests do.
    expect(r.report.journeys?.[0]?.steps.map((s) => s.name)).toEqual(['watch', 'order', 'order-done']);
    expect(r.stdout).toMatch(/✓ pass\s+ws\.message\{step:order-done\}: p\(95\) < 2s/);
  });

  it('merges exactly across worker threads: every order counted once, in ws.message and its step row', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'rampart-ws-workers-')), 'report.json');
    const env = Object.entries(SHORT).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    const r = await runCli(['run', join(root, 'scenarios', 'orders-websocket.yaml'), '--target', healthy.url, '--workers', '2', '--out', out, '--quiet', ...env], { cwd: root, env: {} });
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(failedThresholds(report), r.stdout).toEqual([]);
    expect(r.code).toBe(0);
    expect(total(seriesOf(report, 'ws.message', { step: 'order-done' }))).toBe(ORDERS);
    // The ws.errors rate merges like any rate: one sample per ws step run (watch, order-done), none true.
    expect(total(seriesOf(report, 'ws.errors', {}))).toBe(2 * ORDERS);
    expect(sum(seriesOf(report, 'ws.errors', {}))).toBe(0);
    expect(report.journeys?.[0]?.steps.find((s) => s.name === 'order-done')).toMatchObject({ requests: ORDERS, errorRate: 0 });
    expect(report.timeline.reduce((n, p) => n + (p.ws?.messages ?? 0), 0)).toBe(ORDERS);
  });

  it('fails against --break consumer: every wait times out, the ws thresholds fail, the report is written', async () => {
    const t0 = Date.now();
    const r = await runScenario('orders-websocket', broken.url, SHORT);
    // 3 s of arrivals, then the last waits end at their 2 s timeout: nothing hangs on.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ verdict: 'failed', exitCode: 1 });
    expect(failedThresholds(r.report)).toEqual(['ws.message{step:order-done}', 'ws.errors']);
    // One ws.errors sample per ws step run: every watch succeeded, every order-done timed out.
    expect(r.stdout).toMatch(/✗ FAIL\s+ws\.errors: rate == 0\s+observed 50(\.0)?%/);
    expect(sum(seriesOf(r.report, 'ws.errors', { step: 'order-done', error: 'timeout' }))).toBe(ORDERS);
    // Only the step concerned failed: sockets opened and orders were accepted.
    expect(r.report.thresholds.find((t) => t.key === 'ws.connect{step:watch}')?.passed).toBe(true);
    expect(r.report.thresholds.find((t) => t.key === 'http.errors{step:order}')?.passed).toBe(true);
    expect(r.report.timeline.some((p) => (p.errorsByClass?.['timeout'] ?? 0) > 0 && (p.ws?.errors ?? 0) > 0)).toBe(true);
    expect(r.stderr).toMatch(/order-done: timeout: no matching message within 2000 ms .*queued/);
  });

  it('a refused WebSocket fails only its step, with class refused, and the run still writes its report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-ws-refused-'));
    const file = join(dir, 's.yaml');
    const port = await refusedPort();
    await writeFile(
      file,
      [
        'name: ws-refused',
        `target: ${healthy.url}`,
        'load: { vus: 2, duration: 1s }',
        'journeys:',
        '  - name: j',
        '    steps:',
        '      - { name: health, get: /health/live, expect: { status: 200 } }',
        `      - { name: watch, ws: { connect: "ws://127.0.0.1:${port}/orders/ws" } }`,
        'thresholds:',
        '  "http.errors{step:health}": ["rate == 0"]',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: root, env: {} });
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(r.code).toBe(1);
    expect(report.thresholds.every((t) => t.passed)).toBe(true);
    const refused = seriesOf(report, 'ws.errors', { step: 'watch', error: 'refused' });
    expect(sum(refused)).toBeGreaterThan(0);
    expect(sum(seriesOf(report, 'ws.errors', {}))).toBe(sum(refused));
    // Failures no threshold judges fail the run, as HTTP failures do, and say which and why.
    expect(report.warnings.join('\n')).toMatch(/ws operations failed \(refused \d+; 100%\).*ws\.errors: \["rate <= 100%"\]/);
    expect(report.journeys?.[0]?.steps.find((s) => s.name === 'watch')).toMatchObject({ errorRate: 1 });
  });
});
