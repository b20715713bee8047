/** `rampart report` and `rampart compare` on JSON reports, run in-process. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, validateReport } from '../support/run-helpers.js';
import { sampleReport } from '../unit/report/fixture-report.js';
import type { Report } from '../../src/report/model.js';

let dir: string;
const write = async (name: string, value: unknown): Promise<string> => {
  const path = join(dir, name);
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-report-cli-'));
  expect(validateReport(sampleReport())).toEqual([]);
  await write('base.json', sampleReport());
});

describe('rampart report', () => {
  it('re-renders HTML, JUnit and Markdown from a JSON report', async () => {
    const r = await runCli(['report', 'base.json', '--html', 'out/r.html', '--junit', 'out/r.xml', '--md', 'out/r.md'], { cwd: dir });
    expect(r.stderr).toContain('wrote html report');
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, 'out/r.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(XMLValidator.validate(await readFile(join(dir, 'out/r.xml'), 'utf8'))).toBe(true);
    expect(await readFile(join(dir, 'out/r.md'), 'utf8')).toMatch(/^## ❌ rampart: checkout FAILED/);
  });

  it('takes several formats in one --report, and the JSON it writes again is the same report', async () => {
    const r = await runCli(['report', 'base.json', '--report', 'json=again.json,md=again.md'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'again.json'), 'utf8'))).toEqual(sampleReport());
  });

  it('re-renders the committed sample report of a real run', async () => {
    const sample = new URL('../../docs/sample-report.json', import.meta.url).pathname;
    const r = await runCli(['report', sample, '--md', 'sample.md', '--junit', 'sample.xml'], { cwd: dir });
    expect(r.stderr).not.toContain('not a rampart report');
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, 'sample.md'), 'utf8')).toMatch(/^## ✅ rampart: catalog-cache PASSED/);
  });

  it('prints the summary when no format is asked for', async () => {
    const r = await runCli(['report', 'base.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verdict: FAILED');
  });

  it.each([
    ['not a report', { hello: 'world' }, /not a rampart report .*must have required property 'schemaVersion'/],
    ['a wrong verdict', { ...sampleReport(), verdict: 'great' }, /\/verdict must be equal to one of the allowed values/],
    ['not JSON', '{ nope', /is not JSON/],
  ])('exits 2 on %s', async (_what, content, message) => {
    const path = await write('bad.json', content);
    const r = await runCli(['report', path, '--html', 'never.html'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('exits 2 on a missing file and on an unknown format', async () => {
    expect((await runCli(['report', 'missing.json'], { cwd: dir })).code).toBe(2);
    const r = await runCli(['report', 'base.json', '--report', 'pdf=x.pdf'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown format "pdf"');
  });

  it('exits 3 when the file cannot be written', async () => {
    await write('file', 'x');
    const r = await runCli(['report', 'base.json', '--html', 'file/r.html'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('RAMPART_REPORT_WRITE');
  });
});

describe('rampart compare', () => {
  const slower = (): Report => {
    const r = sampleReport();
    return { ...r, runId: 'run-2', journeys: (r.journeys ?? []).map((j) => ({ ...j, steps: j.steps.map((s) => ({ ...s, p95: s.p95 * 1.5 })) })) };
  };

  it('exits 0 when nothing regressed and prints the table', async () => {
    const r = await runCli(['compare', 'base.json', 'base.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('browse › product');
    expect(r.stdout).toContain('no regression');
  });

  it('exits 1 on a regression beyond the tolerance, 0 within a wider one', async () => {
    await write('slower.json', slower());
    const r = await runCli(['compare', 'base.json', 'slower.json', '--max-regression', 'p95=10%'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ p95 of browse › product: 14.2ms → 21.3ms (+50.0%, limit +10%)');
    expect((await runCli(['compare', 'base.json', 'slower.json', '--max-regression', 'p95=60%'], { cwd: dir })).code).toBe(0);
    const json = await runCli(['compare', 'base.json', 'slower.json', '--json'], { cwd: dir });
    expect((JSON.parse(json.stdout) as { passed: boolean }).passed).toBe(false);
  });

  it('exits 2 on bad tolerances or a file that is not a report', async () => {
    const bad = await runCli(['compare', 'base.json', 'base.json', '--max-regression', 'p95=quick'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('p95 takes a percentage or a time');
    await write('junk.json', { a: 1 });
    expect((await runCli(['compare', 'base.json', 'junk.json'], { cwd: dir })).code).toBe(2);
  });
});
