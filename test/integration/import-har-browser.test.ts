/**
 * A HAR recorded for real: headless Chromium clicks through the test shop (a login form with a CSRF
 * token, a product list, a cart, a checkout whose order id opens the next page) and saves the HAR.
 * Imported, the scenario runs green against the same shop (exit 0); imported without correlation,
 * it fails (exit 1).
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-helpers.js';
import { startShopApp, type ShopApp } from '../support/shop-app.js';
import { ensureChromium, launchChromium, loudSkip } from '../setup/chromium.js';

const found = await ensureChromium();
if ('skip' in found) loudSkip('the HAR import browser test', found.skip);

describe.skipIf('skip' in found)('rampart import har: a recording made in Chromium', () => {
  let app: ShopApp;
  let dir: string;
  let har: string;

  beforeAll(async () => {
    if (!('path' in found)) return;
    app = await startShopApp();
    dir = await mkdtemp(join(tmpdir(), 'rampart-import-browser-'));
    har = join(dir, 'shop.har');
    const browser = await launchChromium(found.path);
    try {
      const context = await browser.newContext({ recordHar: { path: har, content: 'embed' } });
      const page = await context.newPage();
      await page.goto(`${app.url}/login`);
      await page.fill('input[name="user"]', 'qa');
      await Promise.all([page.waitForURL(/\/home\//), page.click('button')]);
      await page.click('button.add >> nth=0');
      await page.waitForSelector('#checkout:not([disabled])');
      await page.click('#checkout');
      await page.waitForSelector('#order[href^="/orders/"]');
      await Promise.all([page.waitForURL(/\/orders\//), page.click('#order')]);
      expect(await page.textContent('#status')).toMatch(/paid/);
      await context.close(); // writes the HAR
    } finally {
      await browser.close();
    }
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('imports the browser recording with its correlations and runs it green (exit 0)', async () => {
    const out = join(dir, 'journey.yaml');
    const imp = await runCli(['import', 'har', 'shop.har', '-o', 'journey.yaml'], { cwd: dir });
    expect(imp.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text).toMatch(/csrf: \{ css: 'input\[name="csrf"\]', attribute: value \}/);
    expect(text).toMatch(/\{ header: location \}/);
    expect(text).toMatch(/authorization: Bearer \{\{ token \}\}/);
    expect(text).toMatch(/- get: \/orders\/\{\{ orderId \}\}/);
    const run = await runCli(['run', 'journey.yaml', '--quiet'], { cwd: dir });
    expect(run.stdout + run.stderr).not.toMatch(/FAIL/);
    expect(run.code).toBe(0);
  }, 60_000);

  it('without correlation the same recording fails (exit 1)', async () => {
    const imp = await runCli(['import', 'har', 'shop.har', '-o', 'replay.yaml', '--no-correlate'], { cwd: dir });
    expect(imp.code).toBe(0);
    const run = await runCli(['run', 'replay.yaml', '--quiet'], { cwd: dir });
    expect(run.code).toBe(1);
  }, 60_000);
});
