import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile } from '../support/run-helpers.js';

let server: Server;
let url = '';
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: 'A.7', other: 'AX7', note: 'Order A.7 READY' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function run(yaml: string): Promise<{ code: number; report: Report; out: string }> {
  const { dir, file } = await scenarioFile(yaml);
  const out = join(dir, 'report.json');
  const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir });
  return { code: r.code, report: JSON.parse(await readFile(out, 'utf8')) as Report, out: r.stdout + r.stderr };
}

const rate = (report: Report, name: string): number | undefined => report.checks?.find((c) => c.name === name)?.rate;

describe('`matches` renders its templates in expect, checks, poll until and if', () => {
  it('a captured value in the pattern is regex source; regexEscape() matches it literally; flags apply', async () => {
    const { code, report, out } = await run(`
name: matches-templates
target: ${url}
variables: { prefix: A }
load: { vus: 1, iterations: 3, maxDuration: 20s }
journeys:
  - name: j
    steps:
      - name: first
        get: /first
        capture: { id: { json: $.id } }
      - name: second
        get: /second
        expect: { json: $.id, matches: "^{{ id }}$" }
        check:
          literal: { json: $.id, matches: "^{{ regexEscape(id) }}$" }
          raw_dot: { json: $.other, matches: "^{{ id }}$" }
          escaped_dot: { json: $.other, matches: "^{{ regexEscape(id) }}$" }
          ignore_case: { body: { matches: "order {{ regexEscape(id) }} ready", flags: i } }
          case_kept: { body: { matches: "order {{ regexEscape(id) }} ready" } }
          header_map: { headers: { content-type: { matches: "^{{ 'application' }}/json" } } }
      - name: wait
        poll: { get: /poll, until: { json: $.id, matches: "^{{ regexEscape(id) }}$" }, every: 20ms, timeout: 2s }
      - if: { value: "{{ id }}", matches: "^{{ prefix }}\\\\." }
        then: [{ name: taken, get: /taken }]
        else: [{ name: skipped, get: /skipped }]
`);
    expect(out).not.toMatch(/expectation failed/);
    expect(report.journeys?.[0]).toMatchObject({ started: 3, completed: 3, failed: 0 });
    expect(rate(report, 'literal')).toBe(1);
    expect(rate(report, 'raw_dot')).toBe(1); // the rendered `.` is a regex dot: "AX7" matches ^A.7$
    expect(rate(report, 'escaped_dot')).toBe(0);
    expect(rate(report, 'ignore_case')).toBe(1);
    expect(rate(report, 'case_kept')).toBe(0);
    expect(rate(report, 'header_map')).toBe(1);
    expect(hits.get('/poll')).toBe(3); // until held on the first response each time
    expect(hits.get('/taken')).toBe(3);
    expect(hits.get('/skipped')).toBeUndefined();
    expect(code).toBe(0);
  });

  it('an expect whose rendered pattern does not hold fails the iteration; one that does not compile says why', async () => {
    const { report, out } = await run(`
name: matches-fails
target: ${url}
variables: { bad: "(" }
load: { vus: 1, iterations: 2, maxDuration: 20s }
journeys:
  - name: j
    steps:
      - name: first
        get: /first
        capture: { id: { json: $.id } }
        check: { broken: { json: $.id, matches: "^{{ bad }}" } }
      - name: strict
        get: /second
        expect: { json: $.id, matches: "^{{ bad }}{{ id }}" }
`);
    expect(report.journeys?.[0]).toMatchObject({ started: 2, completed: 0, failed: 2 });
    expect(rate(report, 'broken')).toBe(0);
    expect(out).toMatch(/strict: expectation failed: json \$\.id: expected matches \/\^\{\{ bad \}\}\{\{ id \}\}\/, got "A\.7": the rendered pattern "\^\(A\.7" is not a valid regular expression/);
  });
});
