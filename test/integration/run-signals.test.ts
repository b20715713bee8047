import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { scenarioFile, startCli, startLatencyServer, validateReport, type LatencyServer } from '../support/run-helpers.js';

let server: LatencyServer;
beforeAll(async () => {
  server = await startLatencyServer(50);
});
afterAll(async () => {
  await server.close();
});

const long = (target: string): string => `
name: long
target: ${target}
load:
  phases: [{ name: forever, duration: 60s, rate: 20 }]
journeys:
  - name: j
    steps:
      - name: work
        get: /work
teardown:
  - name: bye
    get: /status/204
`;

describe('rampart run signals', () => {
  it('SIGINT mid-run: the load stops, teardown runs, exit 130 with an aborted report', async () => {
    const { dir, file } = await scenarioFile(long(server.url));
    const out = join(dir, 'report.json');
    const run = startCli(['run', file, '--out', out], { cwd: dir });
    await new Promise((r) => setTimeout(r, 1500));
    const t = Date.now();
    run.signals.emit('SIGINT');
    const code = await run.done;
    expect(Date.now() - t).toBeLessThan(3000);
    expect(code).toBe(130);
    expect(run.stderr()).toContain('SIGINT');
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'aborted', exitCode: 130 });
    expect(report.abortReason).toContain('SIGINT');
    expect(report.durationMs).toBeLessThan(10_000);
    expect(server.hits.get('/status/204')).toBe(1);
    expect(run.stdout()).toContain('verdict: ABORTED');
  });

  it('SIGTERM gives 143; a second signal leaves at once', async () => {
    const { dir, file } = await scenarioFile(long(server.url));
    const run = startCli(['run', file, '--quiet'], { cwd: dir });
    await new Promise((r) => setTimeout(r, 800));
    run.signals.emit('SIGTERM');
    run.signals.emit('SIGTERM');
    expect(await run.done).toBe(143);
  });
});
