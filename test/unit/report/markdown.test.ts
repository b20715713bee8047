import { describe, expect, it } from 'vitest';
import { mdCode, mdText, renderMarkdown } from '../../../src/report/markdown.js';
import { hostileReport, sampleReport } from './fixture-report.js';

/** Rows of the table that follows `heading`. */
function tableAfter(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const at = lines.indexOf(heading);
  expect(at, heading).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (l.startsWith('|')) rows.push(l);
    else if (rows.length > 0) break;
  }
  return rows;
}

/** Cells of a row, splitting on unescaped pipes only. */
const cells = (row: string): string[] => row.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());

describe('Markdown summary', () => {
  it('starts with the verdict and lists thresholds, steps and checks in tables', () => {
    const md = renderMarkdown(sampleReport());
    expect(md.split('\n')[0]).toBe('## ❌ rampart: checkout FAILED');
    const th = tableAfter(md, '### Thresholds');
    expect(th).toHaveLength(2 + 3);
    expect(cells(th[2] ?? '')).toEqual(['❌', '`http.latency{step:product}`', '`p(95) < 10ms`', '14.2ms', '']);
    expect(cells(th[3] ?? '')[0]).toBe('✅');
    const steps = tableAfter(md, '### Journey browse');
    expect(cells(steps[0] ?? '')).toEqual(['step', 'requests', 'rps', 'errors', 'p50', 'p90', 'p95', 'p99', 'max']);
    expect(cells(steps[2] ?? '')).toEqual(['product', '150', '30/s', '1.33%', '8.0ms', '12.0ms', '14.2ms', '30.0ms', '40.0ms']);
    expect(steps).toHaveLength(2 + 3);
    expect(tableAfter(md, '### Checks')).toHaveLength(2 + 2);
    expect(md).toContain('- a warning');
  });

  it('a passed run says so', () => {
    const md = renderMarkdown(sampleReport({ verdict: 'passed', exitCode: 0, thresholds: [] }));
    expect(md.split('\n')[0]).toBe('## ✅ rampart: checkout PASSED');
    expect(md).not.toContain('### Thresholds');
  });

  it('hostile names cannot break a table, open HTML or make links', () => {
    const md = renderMarkdown(hostileReport());
    // Code spans show their content literally; everything outside them must carry no markup.
    const outsideCode = md.replace(/(`+)[^`]*?\1/g, '');
    expect(outsideCode).not.toMatch(/<(script|img|b)\b/i);
    expect(md).not.toContain('](http');
    for (const row of tableAfter(md, '### Thresholds')) expect(cells(row)).toHaveLength(5);
    const journey = md.split('\n').find((l) => l.startsWith('### Journey'));
    expect(journey).toBeDefined();
    for (const row of tableAfter(md, journey ?? '')) expect(cells(row)).toHaveLength(9);
    for (const row of tableAfter(md, '### Checks')) expect(cells(row)).toHaveLength(4);
  });

  it('escapes inline text and code spans', () => {
    expect(mdText('a|b <i> *x* [l](u)\nz')).toBe('a\\|b &lt;i&gt; \\*x\\* \\[l\\]\\(u\\) z');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x|y')).toBe('`` `x\\|y ``');
  });
});
