/**
 * `npm run demo` as a user runs it, shortened to the smoke scenario: a child process that finds
 * Redis and Kafka, starts the mocks, runs the scenario, writes every report format and stops what
 * it started.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runDemo } from '../support/demo-process.js';
import { validateReport } from '../support/report-schema.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run demo', () => {
  it('runs the smoke scenario against fresh mocks, writes JSON, HTML, JUnit and Markdown, and exits 0', { timeout: 180_000 }, async () => {
    const reports = join(await mkdtemp(join(tmpdir(), 'rampart-demo-')), 'reports');
    const r = await runDemo(['--scenario', 'scenarios/smoke.yaml', '--reports', reports, '--from-source'], 170_000);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('verdict: PASSED');
    // Reused the services of the test run: nothing was started, so nothing else was stopped.
    expect(r.stderr).toMatch(/demo: redis redis:\/\/\S+, kafka \S+ \(reused/);
    expect(r.stderr).toContain('demo: the run ended with exit code 0 (every threshold passed)');
    expect(r.stderr).toMatch(/demo: stopped the mocks \(/);

    expect((await readdir(reports)).sort()).toEqual(['smoke.html', 'smoke.json', 'smoke.junit.xml', 'smoke.md']);
    const report = JSON.parse(await readFile(join(reports, 'smoke.json'), 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'passed', exitCode: 0 });
    expect(report.thresholds.length).toBeGreaterThan(0);
    expect(report.thresholds.every((t) => t.passed)).toBe(true);
    expect(report.journeys?.[0]).toMatchObject({ name: 'smoke', completed: 5, failed: 0 });

    const junit = new XMLParser({ ignoreAttributes: false }).parse(await readFile(join(reports, 'smoke.junit.xml'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(junit)).toContain('http.errors');
    expect(await readFile(join(reports, 'smoke.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    expect(await readFile(join(reports, 'smoke.md'), 'utf8')).toContain('http.errors');
  });

  it('refuses unknown arguments and a missing scenario with exit 2 before starting anything', async () => {
    const bad = await runDemo(['--scenaro', 'x.yaml'], 60_000);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('demo: unknown argument --scenaro');
    expect(bad.stderr).toContain('usage: npm run demo');
    const missing = await runDemo(['--scenario', 'scenarios/nope.yaml'], 60_000);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/demo: no scenario at \S+nope\.yaml/);
    expect(existsSync(join(root, 'scenarios', 'nope.yaml'))).toBe(false);
    expect(missing.stderr).not.toContain('making Redis and Kafka available');
  });
});
