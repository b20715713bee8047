import { describe, expect, it } from 'vitest';
import { backoffMs, shouldRetry, USER_AGENT, VuCookieJar } from '../../../src/journey/index.js';
import { buildRecipe, renderRequest, resolveUrl, statusExpected } from '../../../src/journey/request.js';
import { mergeCookieHeaders } from '../../../src/http/headers.js';
import { ACCEPT_ENCODING } from '../../../src/http/index.js';
import type { RetryPlan } from '../../../src/scenario/plan.js';
import type { Scope } from '../../../src/scenario/template/index.js';
import { capJson, jsonEq, request, status, tpl, tval } from '../../support/journey-plans.js';
import { httpDefaults } from '../../support/target-server.js';

const scope = (vars: Record<string, unknown>): Scope => ({ lookup: (k) => vars[k], random: () => 0, now: () => 0 });

describe('request recipes', () => {
  it('resolves URLs against the target and appends encoded query pairs', () => {
    expect(resolveUrl('http://h:1', '/a', [])).toBe('http://h:1/a');
    expect(resolveUrl('http://h:1/', '/a', [])).toBe('http://h:1/a');
    expect(resolveUrl('http://h:1/api', 'a', [])).toBe('http://h:1/api/a');
    expect(resolveUrl('http://h:1', 'https://other/x', [])).toBe('https://other/x');
    expect(resolveUrl('http://h:1', '/a?x=1', [['q', 'a b&c']])).toBe('http://h:1/a?x=1&q=a%20b%26c');
  });

  it('precomputes constant parts; step headers override defaults; default user-agent and content-type', () => {
    const http = httpDefaults({ headers: [['accept', tpl('application/json')], ['x-env', tpl('prod')]] });
    const step = request('POST', '/orders/{{ id }}', {
      headers: [['x-env', tpl('{{ env }}')], ['x-const', tpl('1')]],
      body: { kind: 'json', value: tval({ id: '{{ id }}', qty: 1 }) },
      expect: [status(201, 202)],
    });
    const r = buildRecipe(step, http, 'http://h');
    expect(r.staticUrl).toBeUndefined();
    expect(r.staticHeaders).toEqual({ accept: 'application/json', 'x-const': '1', 'user-agent': USER_AGENT, 'accept-encoding': ACCEPT_ENCODING, 'content-type': 'application/json' });
    expect(r.needsBody).toBe(false);
    const out = renderRequest(r, 'http://h', scope({ id: 9, env: 'stage' }));
    expect(out).toEqual({ url: 'http://h/orders/9', headers: { ...r.staticHeaders, 'x-env': 'stage' }, body: '{"id":9,"qty":1}' });
    expect(statusExpected(r, 202)).toBe(true);
    expect(statusExpected(r, 404)).toBe(false);
  });

  it('sends accept-encoding unless http.compression is off or the scenario sets its own', () => {
    const step = request('GET', '/x');
    expect(buildRecipe(step, httpDefaults(), 'http://h').staticHeaders['accept-encoding']).toBe(ACCEPT_ENCODING);
    expect(ACCEPT_ENCODING).toMatch(/^gzip, deflate, br(, zstd)?$/);
    expect(buildRecipe(step, httpDefaults({ compression: false }), 'http://h').staticHeaders).not.toHaveProperty('accept-encoding');
    const own = httpDefaults({ compression: false, headers: [['Accept-Encoding', tpl('br')]] });
    expect(buildRecipe(step, own, 'http://h').staticHeaders['accept-encoding']).toBe('br');
    const perStep = buildRecipe(request('GET', '/x', { headers: [['accept-encoding', tpl('identity')]] }), httpDefaults(), 'http://h');
    expect(perStep.staticHeaders['accept-encoding']).toBe('identity');
  });

  it('knows when the body is needed, and renders form and text bodies', () => {
    const http = httpDefaults();
    expect(buildRecipe(request('GET', '/x', { captures: [capJson('a', '$.a')] }), http, 'http://h').needsBody).toBe(true);
    expect(buildRecipe(request('GET', '/x', { expect: [jsonEq('$.a', 1)] }), http, 'http://h').needsBody).toBe(true);
    const form = buildRecipe(request('POST', '/f', { body: { kind: 'form', fields: [['user', tpl('a b')], ['n', tpl('{{ n }}')]] } }), http, 'http://h');
    expect(renderRequest(form, 'http://h', scope({ n: 2 })).body).toBe('user=a%20b&n=2');
    expect(form.staticHeaders['content-type']).toBe('application/x-www-form-urlencoded');
    const text = buildRecipe(request('PUT', '/t', { body: { kind: 'text', template: tpl('raw'), contentType: 'text/csv' } }), http, 'http://h');
    expect(text.staticBody).toBe('raw');
    expect(text.staticHeaders['content-type']).toBe('text/csv');
    expect(text.staticUrl).toBe('http://h/t');
  });
});

describe('retry timing', () => {
  const plan: RetryPlan = { attempts: 5, on: ['5xx', '429'], backoffMs: 100, maxBackoffMs: 350, jitter: 0 };
  it('doubles and caps the backoff; jitter randomizes a fraction of it', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(plan, n, () => 0.5))).toEqual([100, 200, 350, 350]);
    const jittered = { ...plan, jitter: 0.5 };
    expect(backoffMs(jittered, 1, () => 0)).toBe(50);
    expect(backoffMs(jittered, 1, () => 0.999)).toBe(100);
  });
  it('retries on a listed class or exact status', () => {
    expect(shouldRetry(plan, '5xx', 503)).toBe(true);
    expect(shouldRetry(plan, '4xx', 429)).toBe(true);
    expect(shouldRetry(plan, '4xx', 404)).toBe(false);
    expect(shouldRetry(plan, 'refused', 0)).toBe(false);
  });
});

describe('cookies', () => {
  it('the jar stores set-cookie per URL and is cheap while empty', () => {
    const jar = new VuCookieJar();
    expect(jar.cookieHeader('http://127.0.0.1:1/')).toBeUndefined();
    jar.store('http://127.0.0.1:1/a', ['s=1; Path=/', 'p=2; Path=/private']);
    expect(jar.cookieHeader('http://127.0.0.1:1/')).toBe('s=1');
    expect(jar.cookieHeader('http://127.0.0.1:1/private/x')).toBe('p=2; s=1');
    expect(jar.cookieHeader('http://other.test/')).toBeUndefined();
    jar.reset();
    expect(jar.cookieHeader('http://127.0.0.1:1/')).toBeUndefined();
  });
  it('a request cookie replaces a jar cookie of the same name', () => {
    expect(mergeCookieHeaders('a=1; b=2', 'b=9')).toBe('a=1; b=9');
    expect(mergeCookieHeaders('a=1', 'a=2')).toBe('a=2');
  });
});
