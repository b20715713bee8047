/**
 * HTML journeys end to end (`rampart run` against a real server): a login form's hidden CSRF token
 * captured with a CSS selector and posted back, the page's links captured as a list and visited in
 * a loop, and `css` assertions in `expect` and `check` — including a failing one, named in the report.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile, validateReport } from '../support/run-helpers.js';

let app: FastifyInstance;
let url: string;
const tokens = new Set<string>();
const visited: string[] = [];
let rejected = 0;

beforeAll(async () => {
  app = Fastify();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.get('/login', async (_req, reply) => {
    const token = randomUUID();
    tokens.add(token);
    reply.type('text/html');
    return `<!doctype html><html><head><title>Sign in</title></head><body>
      <form method="post" action="/login"><input type="hidden" name="csrf" value="${token}"><input name="user"></form></body></html>`;
  });
  app.post('/login', async (req, reply) => {
    const body = req.body as { csrf?: string; user?: string };
    reply.type('text/html');
    if (body.csrf === undefined || !tokens.delete(body.csrf)) {
      rejected++;
      return reply.code(403).send('<p class="error">invalid token</p>');
    }
    return `<html><body><h1 class="welcome">  Welcome, ${body.user ?? '?'} </h1>
      <ul><li><a class="product" href="/p/1">One</a></li><li><a class="product" href="/p/2">Two</a></li><li><a class="product">no link</a></li></ul></body></html>`;
  });
  app.get('/p/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    visited.push(id);
    reply.type('text/html');
    return `<html><body><h1>Product ${id}</h1>${id === '2' ? '<p class="sold-out">sold out</p>' : ''}</body></html>`;
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
});

const scenario = (target: string): string => `
name: html-shop
target: ${target}
load: { vus: 2, iterations: 4 }
journeys:
  - name: shop
    steps:
      - name: form
        get: /login
        expect: { status: 200, css: title, equals: Sign in }
        capture:
          csrf: { css: 'input[name="csrf"]', attribute: value }
      - name: login
        post: /login
        form: { csrf: "{{ csrf }}", user: qa }
        expect:
          status: 200
          css: h1.welcome
          equals: "Welcome, qa"
        capture:
          products: { css: a.product, attribute: href, all: true }
      - loop: { over: "{{ products }}", as: product }
        steps:
          - name: product
            get: "{{ product }}"
            check:
              titled: { css: h1, matches: "^Product \\\\d+$" }
              in_stock: { css: .sold-out, exists: false }
thresholds:
  "checks{check:titled}": "rate == 1"
  "http.errors": "rate == 0"
`;

describe('HTML journeys', () => {
  it('posts a captured CSRF token, follows captured links, and judges css checks', async () => {
    const { dir, file } = await scenarioFile(scenario(url));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir, env: {} });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(rejected).toBe(0);
    // 4 iterations × the two links that have an href (the third anchor has none).
    expect(visited.filter((v) => v === '1')).toHaveLength(4);
    expect(visited.filter((v) => v === '2')).toHaveLength(4);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(validateReport(report)).toEqual([]);
    const rate = (check: string): { count: number; rate?: number } | undefined => report.series.find((s) => s.metric === 'checks' && s.tags.check === check) as never;
    expect(rate('titled')).toMatchObject({ count: 8, rate: 1 });
    // Product 2 is sold out: half of the in_stock checks fail.
    expect(rate('in_stock')).toMatchObject({ count: 8, rate: 0.5 });
  }, 30_000);

  it('an expectation on HTML that does not hold fails the iteration with what it found', async () => {
    const { dir, file } = await scenarioFile(scenario(url).replace('equals: "Welcome, qa"', 'equals: "Welcome, admin"').replace(/thresholds:[\s\S]*$/, ''));
    const r = await runCli(['run', file, '--quiet'], { cwd: dir, env: {} });
    expect(r.stderr).not.toContain('internal error');
    expect(r.stdout + r.stderr).toMatch(/css h1\.welcome: expected equals "Welcome, admin", got "Welcome, qa"/);
  }, 30_000);
});
