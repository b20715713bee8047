/**
 * An Artillery script written for the test shop is imported and its scenario run against the shop
 * (`--target` points it at port 0's URL): CSRF from a form, a bearer token and an order id flow
 * through captures; the run exits 0. A script whose JavaScript cannot be mapped still imports,
 * with every hook listed on stderr.
 */
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-helpers.js';
import { startShopApp, type ShopApp } from '../support/shop-app.js';

const fixtures = fileURLToPath(new URL('../fixtures/import/artillery/', import.meta.url));
let app: ShopApp;
let dir: string;

beforeAll(async () => {
  app = await startShopApp();
  dir = await mkdtemp(join(tmpdir(), 'rampart-import-artillery-'));
  for (const f of ['login.yml', 'storefront.yml', 'users.csv', 'avatar.png']) await copyFile(join(fixtures, f), join(dir, f));
});
afterAll(async () => {
  await app.close();
});

describe('rampart import artillery, then run', () => {
  it('imports a script, validates it, and runs it against the shop: exit 0', async () => {
    const imp = await runCli(['import', 'artillery', 'login.yml', '-o', 'login.yaml'], { cwd: dir });
    expect(imp.stderr).toBe('login.yaml: valid scenario written\n');
    expect(imp.code).toBe(0);
    const run = await runCli(['run', 'login.yaml', '--target', app.url, '--quiet', '--out', 'report.json'], { cwd: dir });
    expect(run.code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as { series: { metric: string; tags: Record<string, string>; count: number }[] };
    const orders = report.series.filter((s) => s.metric === 'http.requests' && s.tags['step']?.startsWith('GET /api/orders/') && s.tags['status'] === '200');
    expect(orders.length).toBeGreaterThan(0);
  }, 60_000);

  it('a script with hooks imports (exit 0) and lists every hook and unmapped setting on stderr with its position', async () => {
    const imp = await runCli(['import', 'artillery', 'storefront.yml'], { cwd: dir });
    expect(imp.code).toBe(0);
    expect(imp.stdout).toMatch(/^# Imported by `rampart import artillery` from storefront\.yml\./);
    expect(imp.stderr).toMatch(/^warning: JavaScript hook not imported: storefront\.yml:98:19: function setCartCookie$/m);
    expect(imp.stderr).toMatch(/^warning: storefront\.yml:132:19: ifTrue "Math\.random\(\) < 0\.5"/m);
  });

  it('a malformed script exits 2 with its position', async () => {
    const imp = await runCli(['import', 'artillery', join(fixtures, '..', 'storefront.har')], { cwd: dir });
    expect(imp.code).toBe(2);
    expect(imp.stderr).toMatch(/storefront\.har:1:1: .*\[RAMPART_/);
  });

  it('an output that cannot be written exits 3', async () => {
    const imp = await runCli(['import', 'artillery', 'login.yml', '-o', 'missing/dir/login.yaml'], { cwd: dir });
    expect(imp.code).toBe(3);
    expect(imp.stderr).toMatch(/cannot write the scenario: ENOENT/);
  });
});
