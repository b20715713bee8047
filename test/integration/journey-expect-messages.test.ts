/**
 * A failed expectation's log line says what was expected and what came, for every matcher kind, in
 * a real `rampart run` against a real HTTP server on 127.0.0.1.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile, validateReport } from '../support/run-helpers.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

let server: TargetServer;
beforeAll(async () => {
  server = await startTargetServer();
});
afterAll(async () => {
  await server.close();
});

const long = 'z'.repeat(120);

/** [matcher kind, request path, expect (YAML flow), the message the log must show]. */
const cases: [string, string, string, string][] = [
  ['status list', '/status/503', '{ status: [200, 201] }', 'status: expected 200 or 201, got 503'],
  ['status class', '/status/404', '{ status: 2xx }', 'status: expected 200..299, got 404'],
  ['header', '/json', '{ header: content-type, equals: text/plain }', 'header content-type: expected equals "text/plain", got "application/json; charset=utf-8"'],
  ['header exists', '/json', '{ header: x-missing, exists: true }', 'header x-missing: expected exists, got absent'],
  ['json equals a template', '/json', '{ json: $.name, equals: "{{ want }}" }', 'json $.name: expected equals "gadget" (from {{ want }}), got "widget"'],
  ['json less than', '/json', '{ json: $.price, lt: 5 }', 'json $.price: expected lt 5, got 9.5'],
  ['json greater than', '/json', '{ json: $.id, gt: 100 }', 'json $.id: expected gt 100, got 42'],
  ['json exists false', '/json', '{ json: $.nested.ok, exists: false }', 'json $.nested.ok: expected absent, got true'],
  ['json oneOf', '/json', '{ json: $.tags, oneOf: [x, y] }', 'json $.tags: expected oneOf ["x", "y"], got ["a","b"]'],
  ['body contains', '/text', '{ body: { contains: "order #{{ orderNo }}" } }', 'body: expected contains "order #99" (from order #{{ orderNo }}), got "hello world, order #1234 ready"'],
  ['body matches', '/text', '{ body: { matches: "^bye" } }', 'body: expected matches /^bye/, got "hello world, order #1234 ready"'],
  ['long value cut', `/echo?q=${long}`, '{ json: $.url, equals: short }', `json $.url: expected equals "short", got "${`/echo?q=${long}`.slice(0, 80)}…"`],
  ['latency', '/slow?ms=120', '{ maxLatency: 20ms }', 'latency: expected under 20 ms, got '],
];

describe('expectation failure messages in a real run', () => {
  it.each(cases)('%s', async (_kind, path, expectYaml, message) => {
    const { dir, file } = await scenarioFile(`
name: messages
target: ${server.url}
variables: { want: gadget, orderNo: 99 }
load: { vus: 1, iterations: 1 }
journeys:
  - name: j
    steps:
      - name: s
        get: "${path}"
        expect: ${expectYaml}
`);
    const r = await runCli(['run', file, '--quiet'], { cwd: dir, env: {} });
    const out = r.stdout + r.stderr;
    expect(out).not.toContain('internal error');
    expect(out).toContain(`j › s: expectation failed: ${message}`);
  });
});

describe('failed expectations in the report', () => {
  it('the timeline counts them by class in the seconds they happened', async () => {
    const { dir, file } = await scenarioFile(`
name: expectations-timeline
target: ${server.url}
load: { phases: [{ duration: 2s, rate: 10 }] }
journeys:
  - name: j
    steps:
      - { name: s, get: /json, expect: { json: $.name, equals: gadget } }
`);
    const out = join(dir, 'r.json');
    const r = await runCli(['run', file, '--quiet', '--out', out], { cwd: dir, env: {} });
    expect(r.stdout + r.stderr).toContain('j › s: expectation failed: json $.name: expected equals "gadget", got "widget"');
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    const counted = report.timeline.reduce((n, p) => n + (p.errorsByClass?.expectation ?? 0), 0);
    expect(counted).toBe(report.journeys?.[0]?.failed);
    expect(counted).toBeGreaterThanOrEqual(15);
  });
});
