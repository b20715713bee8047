import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCEPT_ENCODING } from '../../src/http/index.js';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile } from '../support/run-helpers.js';
import { startCompressingServer, type CompressingServer } from '../support/compressing-server.js';

let server: CompressingServer;
beforeAll(async () => {
  server = await startCompressingServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.acceptEncoding.clear();
});

async function run(yaml: string): Promise<{ code: number; report: Report; out: string }> {
  const { dir, file } = await scenarioFile(yaml);
  const out = join(dir, 'report.json');
  const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
  const text = await readFile(out, 'utf8').catch(() => {
    throw new Error(`no report (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  });
  return { code: r.code, report: JSON.parse(text) as Report, out: r.stdout + r.stderr };
}

const sum = (report: Report, metric: string, tags: Record<string, string> = {}): number =>
  report.series.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v)).reduce((n, s) => n + s.sum, 0);
const checkRate = (report: Report, name: string): number | undefined => report.checks?.find((c) => c.name === name)?.rate;

describe('a run against a server that compresses', () => {
  it('json, regex, body and css matchers and captures see decoded bodies; data.received counts the wire', async () => {
    const before = server.bytesWritten();
    const { code, report, out } = await run(`
name: compressed
target: ${server.url}
load: { vus: 1, iterations: 3, maxDuration: 20s }
journeys:
  - name: j
    steps:
      - name: json-gzip
        get: /json?enc=gzip
        expect: { status: 200, json: $.status, equals: ready }
        capture: { id: { json: $.id } }
        check: { items: { jsonPaths: { "$.items[49].name": "item 49" } } }
      - name: text-deflate
        get: /text?enc=deflate
        capture: { order: { regex: "order #(\\\\d+)" } }
        expect: { body: { contains: "order #1234 ready" } }
        check: { lorem: { body: { matches: "(lorem ipsum ){400}" } } }
      - name: html-br
        get: /html?enc=br
        capture: { csrf: { css: 'input[name="csrf"]', attribute: value } }
        expect: { css: h1.title, equals: Welcome back }
      - name: negotiated
        get: /json
        expect: { json: $.id, matches: "^{{ id }}$", headers: { content-encoding: gzip } }
        check: { header_only: { header: content-encoding, exists: true } }
      - name: captured
        get: /text?enc=br
        expect: { body: { contains: "order #{{ order }} ready" }, headers: { content-encoding: br } }
        check: { token: { body: { matches: "^order #\\\\d+ ready" } }, csrf: { body: { notContains: "{{ csrf }}" } } }
`);
    await new Promise((r) => setTimeout(r, 50));
    expect(out).not.toMatch(/expectation failed|required capture/);
    expect(report.journeys?.[0]).toMatchObject({ started: 3, completed: 3, failed: 0 });
    expect(checkRate(report, 'items')).toBe(1);
    expect(checkRate(report, 'lorem')).toBe(1);
    expect(checkRate(report, 'header_only')).toBe(1);
    expect(checkRate(report, 'token')).toBe(1);
    expect(checkRate(report, 'csrf')).toBe(1);
    expect(sum(report, 'http.errors')).toBe(0);
    // every response had a content-length: what the server wrote is exactly what was received
    expect(sum(report, 'data.received')).toBe(server.bytesWritten() - before);
    expect(server.acceptEncoding.get('/json')).toEqual(Array(6).fill(ACCEPT_ENCODING));
    expect(code).toBe(0);
  });

  it('`http.compression: false` sends no accept-encoding; a scenario-set one is still sent and decoded', async () => {
    const { report } = await run(`
name: no-compression
target: ${server.url}
http: { compression: false }
load: { vus: 1, iterations: 2, maxDuration: 20s }
journeys:
  - name: j
    steps:
      - name: plain
        get: /text
        expect: { header: content-encoding, exists: false, body: { contains: "order #1234" } }
      - name: asked
        get: /html
        headers: { accept-encoding: br }
        expect: { headers: { content-encoding: br }, css: h1.title, equals: Welcome back }
`);
    expect(report.journeys?.[0]).toMatchObject({ completed: 2, failed: 0 });
    expect(server.acceptEncoding.get('/text')).toEqual([undefined, undefined]);
    expect(server.acceptEncoding.get('/html')).toEqual(['br', 'br']);
  });

  it('a corrupt gzip body is a protocol error in http.errors and fails the run; a bomb is cut as too large', async () => {
    const { code, report, out } = await run(`
name: broken-bodies
target: ${server.url}
http: { maxResponseSize: 1MB }
load: { vus: 1, iterations: 2, maxDuration: 20s }
journeys:
  - name: j
    steps:
      - name: fine
        get: /json?enc=gzip
        expect: { json: $.status, equals: ready }
      - name: corrupt
        get: /corrupt
        capture: { id: { json: $.id } }
thresholds:
  http.errors: ["rate < 1%"]
`);
    expect(sum(report, 'http.errors', { step: 'corrupt', error: 'protocol' })).toBe(2);
    expect(sum(report, 'http.errors', { step: 'fine' })).toBe(0);
    expect(report.journeys?.find((j) => j.name === 'j')).toMatchObject({ failed: 2, completed: 0 });
    expect(out).toMatch(/corrupt: protocol: RAMPART_DECODE: could not decode the gzip body/);
    expect(report.thresholds[0]).toMatchObject({ metric: 'http.errors', passed: false });
    expect(report.verdict).toBe('failed');
    expect(code).toBe(1);

    const bomb = await run(`
name: bomb
target: ${server.url}
http: { maxResponseSize: 1MB }
load: { vus: 1, iterations: 1, maxDuration: 20s }
journeys:
  - name: j
    steps:
      - name: bomb
        get: /bomb?mb=32
        expect: { json: $.x, exists: false }
`);
    expect(sum(bomb.report, 'http.errors', { step: 'bomb', error: 'protocol' })).toBe(1);
    expect(sum(bomb.report, 'data.received', { step: 'bomb' })).toBeLessThan(1024 * 1024);
    expect(bomb.out).toMatch(/response too large: more than 1000000 bytes once decoded/);
  });
});
