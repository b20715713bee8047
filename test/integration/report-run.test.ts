/** `rampart run --report …` and `--baseline`: every format written at the end, aborted runs too, and the baseline gate. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile, startCli, startLatencyServer, validateReport, type LatencyServer } from '../support/run-helpers.js';

let server: LatencyServer;
beforeAll(async () => {
  server = await startLatencyServer(5);
});
afterAll(async () => {
  await server.close();
});

const scenario = (target: string, duration = '2s'): string => `
name: gate
target: ${target}
load:
  phases: [{ name: steady, duration: ${duration}, rate: 20 }]
journeys:
  - name: j
    steps:
      - name: work
        get: /work
        check: { ok: { status: 200 } }
thresholds:
  http.latency: ["p(95) < 5s"]
  "checks{check:ok}": ["rate > 0.9"]
`;

describe('rampart run --report', () => {
  it('writes json, junit, html and md at the end of the run', async () => {
    const { dir, file } = await scenarioFile(scenario(server.url));
    const r = await runCli(['run', file, '-q', '--report', 'json=out/r.json,junit=out/r.xml,html=out/r.html,md=out/r.md'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'out/r.json'), 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    const xml = await readFile(join(dir, 'out/r.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml) as { testsuites: Record<string, string> };
    expect([doc.testsuites['@tests'], doc.testsuites['@failures'], doc.testsuites['@errors']]).toEqual(['4', '0', '0']);
    expect(await readFile(join(dir, 'out/r.html'), 'utf8')).toContain('<span class="badge">PASSED</span> gate');
    expect(await readFile(join(dir, 'out/r.md'), 'utf8')).toMatch(/^## ✅ rampart: gate PASSED/);
  });

  it('an aborted run still writes every report, marked aborted', async () => {
    const { dir, file } = await scenarioFile(scenario(server.url, '60s'));
    const run = startCli(['run', file, '-q', '--report', 'json=a.json,junit=a.xml,html=a.html,md=a.md'], { cwd: dir });
    await new Promise((res) => setTimeout(res, 1500));
    run.signals.emit('SIGINT');
    expect(await run.done).toBe(130);
    expect((JSON.parse(await readFile(join(dir, 'a.json'), 'utf8')) as Report).verdict).toBe('aborted');
    expect(await readFile(join(dir, 'a.xml'), 'utf8')).toMatch(/<error message="the run was aborted: [^"]*SIGINT[^"]*" type="aborted"\/>/);
    expect(await readFile(join(dir, 'a.html'), 'utf8')).toContain('<span class="badge">ABORTED</span>');
    expect(await readFile(join(dir, 'a.md'), 'utf8')).toContain('ABORTED');
  });

  it('bad --report values are usage errors before any load', async () => {
    const before = server.hits.get('/work') ?? 0;
    const { dir, file } = await scenarioFile(scenario(server.url));
    const bad = await runCli(['run', file, '-q', '--report', 'pdf=x.pdf'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown format "pdf"');
    await writeFile(join(dir, 'plain'), 'x');
    const unwritable = await runCli(['run', file, '-q', '--report', 'html=plain/r.html'], { cwd: dir });
    expect(unwritable.code).toBe(3);
    expect(server.hits.get('/work') ?? 0).toBe(before);
  });
});

describe('rampart run --baseline', () => {
  it('passes against itself, fails (exit 1) when p95 regressed beyond the tolerance', async () => {
    const { dir, file } = await scenarioFile(scenario(server.url));
    const base = await runCli(['run', file, '-q', '--out', 'base.json'], { cwd: dir });
    expect(base.code, base.stdout + base.stderr).toBe(0);
    server.latencyMs = 400; // far beyond what a loaded machine adds to a 5 ms baseline
    try {
      const slow = await runCli(['run', file, '-q', '--baseline', 'base.json', '--max-regression', 'p95=50%'], { cwd: dir });
      expect(slow.stdout, slow.stdout + slow.stderr).toContain('verdict: PASSED');
      expect(slow.stdout).toMatch(/✗ p95 of all requests: .* → .*limit \+50%/);
      expect(slow.code).toBe(1);
      const tolerant = await runCli(['run', file, '-q', '--baseline', 'base.json', '--max-regression', 'p95=10s'], { cwd: dir });
      expect(tolerant.stdout, tolerant.stdout + tolerant.stderr).toContain('no regression beyond the tolerances');
      expect(tolerant.code).toBe(0);
    } finally {
      server.latencyMs = 5;
    }
  });

  it('a baseline that is not a report is a usage error before any load', async () => {
    const before = server.hits.get('/work') ?? 0;
    const { dir, file } = await scenarioFile(scenario(server.url));
    await writeFile(join(dir, 'junk.json'), '{"verdict":"maybe"}');
    const r = await runCli(['run', file, '-q', '--baseline', 'junk.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a rampart report');
    expect((await runCli(['run', file, '-q', '--max-regression', 'p95=5%'], { cwd: dir })).code).toBe(2);
    expect(server.hits.get('/work') ?? 0).toBe(before);
  });
});
