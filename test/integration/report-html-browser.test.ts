/**
 * The HTML report in a real browser (headless Chromium): it renders its verdict and charts from
 * file:// with no network, and a report full of hostile names runs no script of theirs.
 */
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html/render.js';
import type { Report } from '../../src/report/model.js';
import { ensureChromium, launchChromium, loudSkip } from '../setup/chromium.js';
import { hostileReport, sampleReport } from '../unit/report/fixture-report.js';

const found = await ensureChromium();
if ('skip' in found) loudSkip('the HTML report browser tests', found.skip);

interface Opened {
  readonly page: Page;
  readonly violations: () => Promise<string[]>;
  readonly dialogs: string[];
  readonly requests: string[];
  readonly errors: string[];
}

describe.skipIf('skip' in found)('HTML report in Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!('path' in found)) return;
    browser = await launchChromium(found.path);
    dir = await mkdtemp(join(tmpdir(), 'rampart-html-'));
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(report: Report, name: string): Promise<Opened> {
    const file = join(dir, `${name}.html`);
    await writeFile(file, renderHtml(report));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const dialogs: string[] = [];
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    // Page-side code as text: the test project type-checks without the DOM library.
    await page.addInitScript(
      "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));",
    );
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, dialogs, requests, errors, violations: () => page.evaluate<string[]>('window.__csp') };
  }

  it('shows the verdict, renders the four charts, and loads nothing but itself', async () => {
    const o = await open(sampleReport(), 'sample');
    const verdict = await o.page.locator('#verdict h1').innerText();
    expect(verdict).toContain('FAILED');
    expect(verdict).toContain('checkout');
    await o.page.waitForSelector('#chart-vus canvas');
    const sizes = await o.page.evaluate<[number, number][]>("[...document.querySelectorAll('.chart canvas')].map((c) => [c.width, c.height])");
    expect(sizes).toHaveLength(4);
    for (const [w, h] of sizes) {
      expect(w).toBeGreaterThan(0);
      expect(h).toBeGreaterThan(0);
    }
    expect(await o.page.locator('#thresholds tbody tr').count()).toBe(3);
    // Errors by class: a line per class in the errors chart, and the seconds that had errors.
    const labels = await o.page.evaluate<string[]>("[...document.querySelectorAll('#chart-errors .u-legend .u-label')].map((e) => e.textContent)");
    expect(labels).toEqual(expect.arrayContaining(['errors/s', '5xx', 'refused', 'dropped arrivals/s']));
    expect(await o.page.locator('#charts > table tbody tr').count()).toBe(1);
    // The generator's own stall is drawn beside the service's percentiles when the report has it.
    const latencyLabels = "[...document.querySelectorAll('#chart-latency .u-legend .u-label')].map((e) => e.textContent)";
    expect(await o.page.evaluate<string[]>(latencyLabels)).toEqual(['s', 'p50', 'p95', 'p99', 'generator stall (longest event-loop delay)']);
    expect(await o.violations()).toEqual([]);
    expect(o.errors).toEqual([]);
    expect(o.requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    const png = join(dir, 'sample.png');
    await o.page.screenshot({ path: png, fullPage: true });
    expect((await stat(png)).size).toBeGreaterThan(10_000);
    await o.page.close();
  });

  it('a report without the generator\'s stalls (an older one) draws no line for them', async () => {
    const r = sampleReport();
    const o = await open({ ...r, timeline: r.timeline.map(({ lagMaxMs: _l, gcMs: _g, ...p }) => p) }, 'older');
    await o.page.waitForSelector('#chart-latency canvas');
    expect(await o.page.evaluate<string[]>("[...document.querySelectorAll('#chart-latency .u-legend .u-label')].map((e) => e.textContent)")).toEqual(['s', 'p50', 'p95', 'p99']);
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it('a report of hostile names and bodies runs none of them', async () => {
    const o = await open(hostileReport(), 'hostile');
    await o.page.waitForSelector('#chart-rps canvas');
    expect(await o.page.evaluate('typeof window.pwned')).toBe('undefined');
    expect(o.dialogs).toEqual([]);
    expect(await o.page.locator('img').count()).toBe(0);
    expect(await o.page.locator('script').count()).toBe(3);
    // The hostile text is shown as text.
    expect(await o.page.locator('#verdict h1').innerText()).toContain('</script><script>window.pwned=1</script>');
    expect(await o.violations()).toEqual([]);
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it('the CSP blocks a script that did get into the page', async () => {
    const doc = renderHtml(sampleReport()).replace('</body>', '<script>window.pwned=3</script></body>');
    const file = join(dir, 'injected.html');
    await writeFile(file, doc);
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    expect(await page.locator('#chart-rps canvas').count()).toBe(1);
    await page.close();
  });
});
