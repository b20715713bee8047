import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/report/html/render.js';
import { cspHash, html, jsonForScript } from '../../../src/report/html/escape.js';
import { HOSTILE, hostileReport, sampleReport } from './fixture-report.js';

const scripts = (doc: string): { attrs: string; body: string }[] =>
  [...doc.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1] ?? '', body: m[2] ?? '' }));

describe('HTML report', () => {
  it('is one self-contained document: no remote URL, uPlot inlined, the verdict first', () => {
    const doc = renderHtml(sampleReport());
    expect(doc).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(doc).toContain('uPlot');
    const body = doc.slice(doc.indexOf('<body>'));
    expect(body.indexOf('id="verdict"')).toBeLessThan(body.indexOf('id="thresholds"'));
    expect(body).toContain('<span class="badge">FAILED</span> checkout');
    expect(body).toContain('id="chart-latency"');
  });

  it('allows exactly its own inline scripts and style by sha256 and nothing remote', () => {
    const doc = renderHtml(sampleReport());
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(doc)?.[1] ?? '';
    const csp = meta.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    const runnable = scripts(doc).filter((s) => !s.attrs.includes('application/json'));
    expect(runnable).toHaveLength(2);
    for (const s of runnable) {
      const hash = `'sha256-${createHash('sha256').update(s.body).digest('base64')}'`;
      expect(csp).toContain(hash);
    }
    const style = /<style>([\s\S]*?)<\/style>/.exec(doc)?.[1] ?? '';
    expect(csp).toContain(`style-src ${cspHash(style)}`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('the data block parses back to the timeline and phases', () => {
    const doc = renderHtml(hostileReport());
    const data = scripts(doc).find((s) => s.attrs.includes('application/json'));
    const parsed = JSON.parse(data?.body ?? '') as { phases: { name: string }[]; timeline: { phase: string; p95: number }[] };
    expect(parsed.phases.map((p) => p.name)).toEqual([HOSTILE.script, HOSTILE.img]);
    expect(parsed.timeline[0]?.p95).toBe(11);
  });

  it('shows the errors of each second by class: per-class chart series and a table of the seconds with errors', () => {
    const doc = renderHtml(sampleReport());
    const data = scripts(doc).find((s) => s.attrs.includes('application/json'));
    const parsed = JSON.parse(data?.body ?? '') as { errorClasses: string[]; timeline: Record<string, number>[] };
    expect(parsed.errorClasses).toEqual(['5xx', 'refused']);
    expect(parsed.timeline[3]).toMatchObject({ errors: 2, 'error:refused': 1, 'error:5xx': 1 });
    expect(parsed.timeline[2]).not.toHaveProperty('error:refused');
    const table = /<h3>errors by second<\/h3>\s*<table>([\s\S]*?)<\/table>/.exec(doc)?.[1] ?? '';
    expect(table).toContain('<th class="n">5xx</th><th class="n">refused</th>');
    expect(table.match(/<tr><td/g)).toHaveLength(1);
    expect(table).toMatch(/<td class="n">4<\/td><td>steady<\/td><td class="n">40<\/td><td class="n">2<\/td><td class="n">1<\/td><td class="n">1<\/td>/);
    const quiet = renderHtml(sampleReport({ timeline: [] }));
    expect(quiet).toContain('No errors in any second.');
  });

  it('hostile class names from a report file never reach the chart script', () => {
    const r = sampleReport();
    const timeline = r.timeline.map((p) => (p.t === 4 ? { ...p, errorsByClass: { [HOSTILE.script]: 3, reset: 1 } } : p));
    const doc = renderHtml({ ...r, timeline });
    const data = JSON.parse(scripts(doc).find((s) => s.attrs.includes('application/json'))?.body ?? '') as { errorClasses: string[] };
    expect(data.errorClasses).toEqual(['reset']);
    expect(doc).toContain(html(HOSTILE.script));
    expect(scripts(doc)).toHaveLength(3);
  });

  it('hostile names never become markup: no extra script, no img, no event handler', () => {
    const doc = renderHtml(hostileReport());
    expect(scripts(doc)).toHaveLength(3);
    expect(doc).not.toMatch(/<img/i);
    expect(doc).not.toMatch(/<script>window\.pwned/);
    expect(doc).toContain(html(HOSTILE.script));
    expect(doc).not.toMatch(/\uD800(?![\uDC00-\uDFFF])/);
  });

  it('escapes for text and for script data blocks', () => {
    expect(html(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    const j = jsonForScript({ s: '</script><!-- \u2028 &' });
    expect(j).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(j)).toEqual({ s: '</script><!-- \u2028 &' });
  });
});
