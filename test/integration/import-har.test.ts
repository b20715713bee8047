/**
 * A recording made against a live shop (real requests, real cookies, real timings) is imported and
 * the scenario is run against the same shop: with its correlations it passes (exit 0); imported
 * with --no-correlate, the recorded token, redirect and order id are stale and it fails (exit 1).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/run-helpers.js';
import { recordHar, startShopApp, type Exchange, type ShopApp } from '../support/shop-app.js';

let app: ShopApp;
let dir: string;
let har: string;

beforeAll(async () => {
  app = await startShopApp();
  dir = await mkdtemp(join(tmpdir(), 'rampart-import-'));
  const recording = await recordHar(app.url, (answers): Exchange | undefined => {
    const last = answers.at(-1);
    switch (answers.length) {
      case 0:
        return { method: 'GET', path: '/login', resourceType: 'document' };
      case 1:
        return { method: 'GET', path: '/app.css', resourceType: 'stylesheet' };
      case 2: {
        const csrf = /name="csrf" value="([^"]+)"/.exec(answers[0]?.text ?? '')?.[1] ?? '';
        return { method: 'POST', path: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${csrf}&user=qa`, resourceType: 'document' };
      }
      case 3:
        return { method: 'GET', path: last?.headers.get('location') ?? '/', resourceType: 'document' };
      case 4:
        return { method: 'POST', path: '/api/token', headers: { 'content-type': 'application/json' }, body: '{"user":"qa"}' };
      case 5: {
        const token = (JSON.parse(last?.text ?? '{}') as { token: string }).token;
        return { method: 'GET', path: '/api/products', headers: { authorization: `Bearer ${token}` } };
      }
      case 6: {
        const token = (JSON.parse(answers[4]?.text ?? '{}') as { token: string }).token;
        return { method: 'POST', path: '/api/checkout', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"sku":"p-1","qty":1}' };
      }
      case 7: {
        const token = (JSON.parse(answers[4]?.text ?? '{}') as { token: string }).token;
        const order = (JSON.parse(last?.text ?? '{}') as { order: { orderId: string } }).order.orderId;
        return { method: 'GET', path: `/api/orders/${order}`, headers: { authorization: `Bearer ${token}` } };
      }
      default:
        return undefined;
    }
  });
  har = join(dir, 'shop.har');
  await writeFile(har, JSON.stringify(recording, null, 2));
});
afterAll(async () => {
  await app.close();
});

describe('rampart import har, then run', () => {
  it('the recording was made against the live shop: every answer in it is the expected one', async () => {
    const rec = JSON.parse(await readFile(har, 'utf8')) as { log: { entries: { response: { status: number } }[] } };
    expect(rec.log.entries.map((e) => e.response.status)).toEqual([200, 200, 302, 200, 200, 200, 201, 200]);
  });

  it('imports with correlations, validates, and the scenario runs green against the shop (exit 0)', async () => {
    const out = join(dir, 'journey.yaml');
    const imp = await runCli(['import', 'har', har, '-o', out], { cwd: dir });
    expect(imp.stderr).toMatch(/journey\.yaml: valid scenario written/);
    expect(imp.code).toBe(0);
    const text = await readFile(out, 'utf8');
    // Where each value was found is written beside its capture.
    expect(text).toMatch(/# correlated: ".*" was found in HTML input\[name="csrf"\] \(its value\)/);
    expect(text).toMatch(/# correlated: ".*" was found in the Location header/);
    expect(text).toMatch(/# correlated: ".*" was found in JSON \$\.token/);
    expect(text).toMatch(/# correlated: ".*" was found in JSON \$\.order\.orderId/);
    expect(text).not.toContain('/app.css');
    const doc = parse(text) as { target: string; journeys: { steps: unknown[] }[] };
    expect(doc.target).toBe(app.url);
    const run = await runCli(['run', out, '--quiet'], { cwd: dir });
    expect(run.stdout + run.stderr).not.toMatch(/FAIL/);
    expect(run.code).toBe(0);
  }, 60_000);

  it('the same recording without correlation replays stale values and fails (exit 1)', async () => {
    const out = join(dir, 'replay.yaml');
    const imp = await runCli(['import', 'har', har, '-o', out, '--no-correlate'], { cwd: dir });
    expect(imp.code).toBe(0);
    expect(await readFile(out, 'utf8')).not.toContain('capture');
    const run = await runCli(['run', out, '--quiet'], { cwd: dir });
    expect(run.code).toBe(1);
  }, 60_000);
});
