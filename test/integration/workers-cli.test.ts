/** `rampart run --workers/--shard/--agents` and `rampart collect` through the CLI (in-process main()). */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile, startCli, startLatencyServer, validateReport, type LatencyServer } from '../support/run-helpers.js';

let server: LatencyServer;
beforeAll(async () => {
  server = await startLatencyServer(1);
});
afterAll(async () => {
  await server.close();
});

const yaml = (url: string, rate: number, seconds: number): string => `
name: cli-scale
target: ${url}
load:
  phases: [{ name: steady, duration: ${seconds}s, rate: ${rate} }]
journeys:
  - name: browse
    steps:
      - name: work
        get: /work
        expect: { status: 200 }
thresholds:
  http.errors: ["rate < 1%"]
gracefulStop: 2s
`;

const started = (r: Report): number => r.series.filter((s) => s.metric === 'journeys.started').reduce((n, s) => n + s.sum, 0);

describe('rampart run --workers', () => {
  it('runs on 2 worker threads and writes one merged report', async () => {
    const { dir, file } = await scenarioFile(yaml(server.url, 5, 2));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--workers', '2', '--out', out, '--quiet', '--seed', '3'], { cwd: dir });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verdict: PASSED');
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report.environment.workers).toBe(2);
    expect(started(report)).toBe(10);
  }, 20_000);

  it('SIGINT stops every worker: exit 130, a merged report marked aborted', async () => {
    const { dir, file } = await scenarioFile(yaml(server.url, 5, 30));
    const out = join(dir, 'aborted.json');
    const run = startCli(['run', file, '--workers', '2', '--out', out, '--quiet'], { cwd: dir });
    const t0 = Date.now();
    // Workers boot in about a second; by 3 s the load is running.
    await new Promise((r) => setTimeout(r, 3000));
    run.signals.emit('SIGINT');
    const code = await run.done;
    expect(code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(12_000);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report.verdict).toBe('aborted');
    expect(report.exitCode).toBe(130);
    expect(started(report)).toBeGreaterThan(0);
    expect(started(report)).toBeLessThan(150);
  }, 20_000);

  it('an abortOnFail threshold failing on the merged data stops every worker (exit 1)', async () => {
    const { dir, file } = await scenarioFile(`
name: workers-abort
target: ${server.url}
load:
  phases: [{ duration: 30s, rate: 10 }]
journeys:
  - name: broken
    steps:
      - { name: boom, get: /status/500 }
thresholds:
  http.errors: [{ threshold: "rate < 10%", abortOnFail: true }]
gracefulStop: 1s
`);
    const out = join(dir, 'abort.json');
    const t0 = Date.now();
    const r = await runCli(['run', file, '--workers', '2', '--out', out, '--quiet'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(12_000);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.verdict).toBe('failed');
    expect(report.thresholds[0]).toMatchObject({ passed: false, aborted: true });
    expect(report.abortReason).toMatch(/threshold http\.errors/);
  }, 20_000);

  it('refuses contradictory or incomplete scale-out flags before sending anything (exit 2)', async () => {
    const { dir, file } = await scenarioFile(yaml(server.url, 5, 1));
    const cases: [string[], RegExp][] = [
      [['--workers', '0'], /--workers expects a whole number/],
      [['--shard', '0/2'], /--shard needs --output kafka:/],
      [['--shard', '2/2', '--output', 'kafka://127.0.0.1:9/t'], /0-based/],
      [['--shard', '1/2', '--output', 'kafka://127.0.0.1:9/t'], /--start-at <instant>.*or --run-id/],
      [['--shard', '0/2', '--workers', '2'], /cannot be combined/],
      [['--start-at', '+3s'], /needs --shard/],
      [['--shard', '0/2', '--output', 'redis://x'], /kafka:\/\//],
    ];
    const before = server.hits.get('/work') ?? 0;
    for (const [flags, message] of cases) {
      const r = await runCli(['run', file, '--quiet', ...flags], { cwd: dir, env: {} });
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(server.hits.get('/work') ?? 0).toBe(before);
  });
});

describe('rampart run --shard … --output kafka://… and rampart collect', () => {
  it('three shards started with the same command line and a collector make one run', async () => {
    const { dir, file } = await scenarioFile(yaml(server.url, 9, 2));
    const brokers = inject('kafkaBrokers');
    const topic = `rampart-cli-${randomUUID().slice(0, 8)}`;
    const runId = `cli-${randomUUID().slice(0, 8)}`;
    const out = join(dir, 'merged.json');
    const junit = join(dir, 'merged.xml');
    const collector = startCli(['collect', '--from', `kafka://${brokers}/${topic}`, '--run', runId, '--shards', '3', '--scenario', file, '--out', out, '--report', `junit=${junit}`, '--quiet'], { cwd: dir });
    const startAt = new Date(Date.now() + 4000).toISOString();
    const shards = [0, 1, 2].map((i) =>
      startCli(['run', file, '--shard', `${i}/3`, '--start-at', startAt, '--run-id', runId, '--output', `kafka://${brokers}/${topic}`, '--quiet'], { cwd: dir }),
    );
    const codes = await Promise.all(shards.map((s) => s.done));
    expect(codes, shards.map((s) => s.stderr()).join('\n')).toEqual([0, 0, 0]);
    expect(shards[1]?.stderr()).toContain(`shard 1/3 of run ${runId}`);
    const code = await collector.done;
    expect(collector.stderr()).not.toMatch(/internal error/);
    expect(code).toBe(0);
    expect(collector.stdout()).toContain('verdict: PASSED');
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report.runId).toBe(runId);
    expect(started(report)).toBe(18);
    expect(await readFile(junit, 'utf8')).toContain('<testsuite');
  }, 30_000);

  it('collect explains missing flags (exit 2)', async () => {
    const { dir, file } = await scenarioFile(yaml(server.url, 1, 1));
    const r = await runCli(['collect', '--brokers', '127.0.0.1:9', '--shards', '2', '--scenario', file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--run <id> is required/);
    const r2 = await runCli(['collect', '--run', 'x', '--shards', '2', '--scenario', file], { cwd: dir, env: {} });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--brokers/);
  });
});
