import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { refusedUrl, runCli, scenarioFile, startLatencyServer, validateReport, type LatencyServer } from '../support/run-helpers.js';

let server: LatencyServer;
beforeAll(async () => {
  server = await startLatencyServer(1);
});
afterAll(async () => {
  await server.close();
});

const yaml = (target: string, path = '/work'): string => `
name: codes
target: ${target}
load:
  phases: [{ duration: 1s, rate: 5 }]
journeys:
  - name: j
    steps:
      - name: hit
        get: ${path}
thresholds:
  http.errors: ["rate < 1%"]
`;

describe('rampart run exit codes', () => {
  it('a target that refuses connections: errors are data, the threshold fails, exit 1', async () => {
    const target = await refusedUrl();
    const { dir, file } = await scenarioFile(yaml(target));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
    expect(r.code).toBe(1);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report.series.some((s) => s.metric === 'http.errors' && s.tags.error === 'refused' && s.count > 0)).toBe(true);
    expect(report.journeys?.[0]?.steps[0]).toMatchObject({ name: 'hit', errorRate: 1 });
    expect(report.thresholds[0]).toMatchObject({ passed: false, observed: 1 });
  });

  it('a target that is down cannot pass, even when its only threshold is on latency', async () => {
    const target = await refusedUrl();
    const { dir, file } = await scenarioFile(yaml(target).replace('http.errors: ["rate < 1%"]', 'http.latency: ["p(95) < 500ms"]'));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    // the refused requests' latency is tiny: the threshold itself passes…
    expect(report.thresholds[0]).toMatchObject({ metric: 'http.latency', passed: true });
    // …but a run that reached nothing is failed, and says why
    expect(r.code).toBe(1);
    expect(report.verdict).toBe('failed');
    expect(report.warnings.join('\n')).toMatch(/no request got an HTTP answer from .* a run that reached nothing cannot pass/);
    expect(r.stdout + r.stderr).toMatch(/reached nothing/);
  });

  it('an abortOnFail threshold stops a long run early: exit 1, report says which threshold', async () => {
    const { dir, file } = await scenarioFile(`
name: stop-early
target: ${server.url}
load:
  phases: [{ duration: 60s, rate: 10 }]
journeys:
  - name: j
    steps:
      - name: broken
        get: /status/500
thresholds:
  http.errors:
    - { threshold: "rate < 10%", abortOnFail: true, delayAbortEval: 1s }
`);
    const out = join(dir, 'report.json');
    const t0 = Date.now();
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(8000);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'failed', exitCode: 1 });
    expect(report.abortReason).toContain('http.errors');
    expect(report.thresholds[0]).toMatchObject({ passed: false, aborted: true, abortOnFail: true });
    expect(r.stdout).toContain('(stopped the run)');
  });

  it('an invalid scenario: exit 2, problems with file:line:col, nothing sent', async () => {
    const before = server.hits.get('/work') ?? 0;
    const { dir, file } = await scenarioFile(`${yaml(server.url)}\nbogusKey: 1\n`);
    const r = await runCli(['run', file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/scenario\.yaml:\d+:\d+/);
    expect(server.hits.get('/work') ?? 0).toBe(before);
  });

  it('bad flags: exit 2', async () => {
    const { dir, file } = await scenarioFile(yaml(server.url));
    expect((await runCli(['run', file, '--env', 'NOEQUALS'], { cwd: dir })).code).toBe(2);
    expect((await runCli(['run', file, '--target', 'ftp://x'], { cwd: dir })).code).toBe(2);
    expect((await runCli(['run'], { cwd: dir })).code).toBe(2);
  });

  it('an unwritable --out path: exit 3 before any load is sent', async () => {
    const before = server.hits.get('/work') ?? 0;
    const { dir, file } = await scenarioFile(yaml(server.url));
    const blocked = join(dir, 'blocked');
    await mkdir(blocked);
    // a directory as the report path is refused even for root
    const r = await runCli(['run', file, '--out', blocked], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('RAMPART_REPORT_WRITE');
    await chmod(blocked, 0o755);
    expect(server.hits.get('/work') ?? 0).toBe(before);
  });
});
