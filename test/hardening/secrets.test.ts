/**
 * A hostile target echoes what it was sent — a declared secret variable and an Authorization header
 * written in the scenario — back in bodies, headers and Set-Cookie, raw, base64- and URL-encoded.
 * The scenario captures, logs, tags and checks those echoes. No form of either canary may appear in
 * the console (stdout, stderr), the JSON report, or the JUnit/HTML/Markdown renderings of it.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { createRedactor, encodings, headerCredentials } from '../../src/report/redact.js';
import { renderers } from '../../src/report/registry.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { runCli, scenarioFile } from '../support/run-helpers.js';

/** The secret variable's value and a literal header credential: characters that URL encoding changes. */
const SECRET = 'cAn4ry/S3cr3t+7f1e=9b';
const HEADER_CRED = 'hdrC4nary:41b7/zq+';

/** Every form a canary could leak in. */
function forms(canary: string): Record<string, string> {
  const b64 = Buffer.from(canary).toString('base64');
  return {
    raw: canary,
    base64: b64,
    base64NoPad: b64.replace(/=+$/, ''),
    base64url: Buffer.from(canary).toString('base64url'),
    url: encodeURIComponent(canary),
    urlForm: new URLSearchParams({ x: canary }).toString().slice(2),
  };
}

function leaks(where: string, text: string): string[] {
  const out: string[] = [];
  for (const [name, canary] of [['secret', SECRET], ['header', HEADER_CRED]] as const) {
    for (const [form, v] of Object.entries(forms(canary))) if (text.includes(v)) out.push(`${where}: ${name} ${form}`);
  }
  return out;
}

/** The credential part of `Bearer x` / `Basic x` / a bare value. */
const credential = (v: string): string => v.replace(/^(Bearer|Basic|Token)\s+/i, '');

let server: Server;
let url = '';
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const values = [req.headers.authorization, req.headers['x-api-key'], req.headers['x-token']].filter((v): v is string => typeof v === 'string');
    seen.push(...values);
    const echo: Record<string, string> = {};
    values.forEach((v, i) => {
      const c = credential(v);
      echo[`raw${i}`] = v;
      echo[`cred${i}`] = c;
      echo[`b64${i}`] = Buffer.from(c).toString('base64');
      echo[`b64url${i}`] = Buffer.from(c).toString('base64url');
      echo[`url${i}`] = encodeURIComponent(c);
    });
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-echo', echo.cred0 ?? '');
    res.setHeader('x-echo-b64', echo.b640 ?? '');
    res.setHeader('x-echo-url', echo.url0 ?? '');
    res.setHeader('set-cookie', [`sid=${echo.url0 ?? ''}; Path=/`, `tok=${echo.b641 ?? ''}; Path=/`]);
    res.statusCode = req.url?.startsWith('/fail') ? 500 : 200;
    res.end(JSON.stringify(echo));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('secrets never leave through outputs', () => {
  it('a target echoing the canaries: none in console, JSON, JUnit, HTML or Markdown', async () => {
    const { dir, file } = await scenarioFile(`
name: canary
target: ${url}
variables: { apiToken: "${SECRET}" }
secrets: [apiToken]
http:
  headers:
    x-token: "{{ apiToken }}"
load: { vus: 2, iterations: 6 }
journeys:
  - name: j
    steps:
      - name: hostile
        get: /echo
        headers: { authorization: "Basic ${HEADER_CRED}", x-api-key: "{{ apiToken }}" }
        tagWith: { echoed: { header: x-echo-b64 } }
        capture:
          raw: { json: $.raw0 }
          b64: { json: $.b640 }
          url: { json: $.url0 }
          tok: { json: $.b641 }
          hdr: { header: x-echo }
          cookie: { header: set-cookie }
        check:
          echoed_b64: { header: x-echo-b64, equals: "nope" }
          body_has: { body: { contains: "zzz-never" } }
      - log: "raw={{ raw }} b64={{ b64 }} url={{ url }} tok={{ tok }} hdr={{ hdr }} cookie={{ cookie }}"
      - metric: { name: token_len, type: trend, value: "{{ length(tok) }}" }
      - name: fails
        get: /fail
        expect: { status: 200, body: { equals: "{{ tok }}" } }
thresholds:
  http.errors: ["rate < 100%"]
`);
      const out = join(dir, 'report.json');
      const files = { junit: join(dir, 'r.xml'), html: join(dir, 'r.html'), md: join(dir, 'r.md') };
      const r = await runCli(['run', file, '--out', out, '--report', `junit=${files.junit},html=${files.html},md=${files.md}`], { cwd: dir });
      expect(r.code, r.stderr).toBeLessThanOrEqual(1);
      // The target did receive the credentials: the test is live.
      expect(seen.some((v) => v.includes(SECRET))).toBe(true);
      expect(seen.some((v) => v.includes(HEADER_CRED))).toBe(true);
      // And the scenario did log and fail on the echoes.
      expect(r.stderr).toMatch(/raw=/);

      const reportText = await readFile(out, 'utf8');
      const report = JSON.parse(reportText) as Report;
      const found = [
        ...leaks('stdout', r.stdout),
        ...leaks('stderr', r.stderr),
        ...leaks('report.json', reportText),
        ...leaks('report.xml', await readFile(files.junit, 'utf8')),
        ...leaks('report.html', await readFile(files.html, 'utf8')),
        ...leaks('report.md', await readFile(files.md, 'utf8')),
        // Re-rendered from the JSON report (`rampart report`), too.
        ...leaks('junit', renderers.junit(report)),
        ...leaks('html', renderers.html(report)),
        ...leaks('markdown', renderers.md(report)),
      ];
      expect(found, r.stderr).toEqual([]);
    });
});

describe('what the redactor hides', () => {
  it('credentials written in sensitive headers anywhere in a plan: defaults, setup, groups, loops, polls, hooks', async () => {
    const r = await parseScenarioText(
      `
name: creds
target: http://127.0.0.1:9
variables: { pw: x }
secrets: [pw]
http: { headers: { x-api-key: "key-in-defaults" } }
setup: [{ get: /a, headers: { authorization: "Bearer tok-in-setup" } }]
load:
  phases:
    - { duration: 1s, rate: 1, onStart: [{ get: /h, headers: { cookie: "sid=cookie-in-hook" } }] }
journeys:
  - name: j
    steps:
      - group: g
        steps:
          - loop: 2
            steps: [{ get: /b, headers: { Authorization: "Basic in-a-loop-cred" } }]
      - name: p
        poll: { get: /c, headers: { proxy-authorization: "Digest poll-cred" }, until: { status: 200 } }
      - get: /d
        headers: { authorization: "Bearer {{ pw }}", x-other: "not-a-credential" }
`,
      '/tmp/creds.yaml',
      { env: {} },
    );
    expect(r.problems).toEqual([]);
    const creds = headerCredentials(r.plan);
    for (const c of ['key-in-defaults', 'Bearer tok-in-setup', 'tok-in-setup', 'sid=cookie-in-hook', 'Basic in-a-loop-cred', 'in-a-loop-cred', 'Digest poll-cred', 'poll-cred']) expect(creds).toContain(c);
    // Templated values are covered by the secrets they are made of; other headers are not credentials.
    expect(creds.join(' ')).not.toMatch(/\{\{|not-a-credential/);
  });

  it('a secret in its base64 and URL-encoded forms, never short encodings that would match by chance', () => {
    const redactor = createRedactor(['p@ss word/1']);
    const b64 = Buffer.from('p@ss word/1').toString('base64');
    const text = `raw p@ss word/1, b64 ${b64}, url ${encodeURIComponent('p@ss word/1')}, form p%40ss+word%2F1, b64url ${Buffer.from('p@ss word/1').toString('base64url')}`;
    expect(redactor.text(text)).toBe('raw [redacted], b64 [redacted], url [redacted], form [redacted], b64url [redacted]');
    expect(encodings('ab')).toEqual(['ab']);
  });
});
