import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../src/scenario/index.js';
import type { Plan, RequestStep, Step } from '../../../src/scenario/plan.js';
import { compileTemplate } from '../../../src/scenario/template/index.js';

const dir = fileURLToPath(new URL('../../fixtures/scenarios/valid/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const load = (name: string, env: Record<string, string> = {}, extra: { target?: string; environment?: string } = {}): Promise<Plan> =>
  loadScenario(join(dir, name), { env, ...extra });

function isFrozenDeep(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  return Object.isFrozen(v) && Object.values(v).every(isFrozenDeep);
}

const req = (s: Step | undefined): RequestStep => {
  if (s?.kind !== 'request') throw new Error(`expected a request step, got ${s?.kind}`);
  return s;
};

describe('valid scenarios normalize into a frozen, serializable Plan', () => {
  it('has at least 15 valid fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s', async (file) => {
    const plan = await load(file);
    expect(isFrozenDeep(plan)).toBe(true);
    expect(structuredClone(plan)).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(plan.source.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('01: the DESIGN example, exactly as written', async () => {
    const p = await load('01-checkout.yaml');
    expect(p.target).toBe('http://127.0.0.1:8080');
    expect(p.http.timeoutMs).toBe(5000);
    expect(p.http.headers.map(([k]) => k)).toEqual(['accept']);
    expect(p.data[0]).toMatchObject({ name: 'users', order: 'random', columns: ['email', 'password'] });
    expect(p.data[0]?.rows).toHaveLength(3);
    expect(p.load).toMatchObject({ model: 'open', maxVus: 2000, spacing: 'uniform' });
    if (p.load.model !== 'open') throw new Error('open');
    expect(p.load.phases.map((ph) => [ph.name, ph.durationMs, ph.rate, ph.rampTo])).toEqual([
      ['warm-up', 30_000, 5, 50],
      ['steady', 120_000, 50, undefined],
      ['spike', 15_000, 300, undefined],
    ]);
    const steps = p.journeys[0]?.steps ?? [];
    const product = req(steps[0]);
    expect(product).toMatchObject({ name: 'product', method: 'GET', expect: [{ kind: 'status', oneOf: [200] }] });
    expect(product.checks).toEqual([{ name: 'cache_hit', all: [{ kind: 'header', name: 'x-cache', cmp: { op: 'equals', value: { kind: 'const', value: 'HIT' } } }] }]);
    expect(product.captures).toEqual([{ kind: 'json', as: 'productId', path: { source: '$.id', segments: ['id'] }, optional: false }]);
    expect(product.pos).toEqual({ file: join(dir, '01-checkout.yaml'), line: 18, col: 9 });
    expect(steps[1]).toMatchObject({ kind: 'think', minMs: 500, maxMs: 1500 });
    expect(req(steps[2]).body?.kind).toBe('json');
    expect(steps[3]).toMatchObject({ kind: 'poll', name: 'order-done', everyMs: 200, timeoutMs: 10_000, request: { method: 'GET' } });
    expect(p.thresholds.map((t) => [t.metric, t.filter, t.abortOnFail, t.delayAbortEvalMs])).toEqual([
      ['http.latency', { step: 'product' }, false, 0],
      ['http.latency', { step: 'product' }, false, 0],
      ['http.errors', {}, false, 0],
      ['checks', { check: 'cache_hit' }, false, 0],
      ['journey.duration', {}, true, 30_000],
    ]);
    expect(p.gracefulStopMs).toBe(30_000);
  });

  it('02: defaults come from the schema', async () => {
    const p = await load('02-minimal-closed.yaml');
    expect(p.http).toMatchObject({
      timeoutMs: 30_000, connectTimeoutMs: 10_000, connections: 100, connectionPolicy: 'shared', keepAlive: true,
      tlsVerify: true, followRedirects: true, maxRedirects: 10, http2: false, cookies: true,
    });
    expect(p.http.maxResponseBytes).toBeGreaterThanOrEqual(10_000_000);
    expect(p.load).toEqual({ model: 'closed', startVus: 2, stages: [{ name: 'stage-1', durationMs: 10_000, target: 2, onStart: [], onEnd: [] }] });
    expect(p.journeys[0]).toMatchObject({ name: 'health', weight: 1, tags: {} });
    expect(req(p.journeys[0]?.steps[0]).name).toBe('GET /health/live');
  });

  it('03/04: closed stages, hooks and iteration caps', async () => {
    const p = await load('03-closed-stages.yaml');
    if (p.load.model !== 'closed') throw new Error('closed');
    expect(p.load.stages.map((s) => [s.name, s.durationMs, s.target])).toEqual([['ramp', 30_000, 20], ['stage-2', 60_000, 20], ['down', 10_000, 0]]);
    expect(p.load.stages[1]?.onStart[0]).toMatchObject({ kind: 'log' });
    expect(p.load.iterationsPerVu).toBe(100);
    expect(p.gracefulStopMs).toBe(5000);
    const q = await load('04-iterations-shared.yaml');
    expect(q.load).toMatchObject({ model: 'closed', startVus: 5, iterations: 200, stages: [{ durationMs: 120_000, target: 5 }] });
    expect(req(q.journeys[0]?.steps[0]).expect).toEqual([{ kind: 'status', min: 200, max: 299 }, { kind: 'latency', maxMs: 2000 }]);
  });

  it('05/06: arrivals, pauses, poisson spacing and phase hooks', async () => {
    const p = await load('05-arrivals-pause-poisson.yaml');
    if (p.load.model !== 'open') throw new Error('open');
    expect(p.load.spacing).toBe('poisson');
    expect(p.load.phases.map((ph) => [ph.name, ph.durationMs, ph.rate, ph.arrivals, ph.pause, ph.rampTo])).toEqual([
      ['trickle', 60_000, 0, 120, false, undefined],
      ['quiet', 10_000, 0, undefined, true, undefined],
      ['burst', 5000, 0, undefined, false, 40],
    ]);
    const h = await load('06-phase-hooks.yaml');
    if (h.load.model !== 'open') throw new Error('open');
    expect(req(h.load.phases[1]?.onStart[0])).toMatchObject({ method: 'PUT', headers: [['authorization', { source: 'Bearer {{ adminToken }}' }]] });
    expect(req(h.load.phases[1]?.onEnd[0]).method).toBe('DELETE');
    expect(h.secrets).toEqual(['s3cret']);
  });

  it('07: setup captures are visible to journeys and teardown', async () => {
    const p = await load('07-setup-teardown.yaml');
    expect(req(p.setup[0]).captures.map((c) => [c.kind, c.as, c.optional])).toEqual([['json', 'token', false], ['header', 'session', true]]);
    expect(req(p.setup[0]).body).toMatchObject({ kind: 'form', fields: [['user', { source: '{{ user }}' }], ['password', { source: '{{ password }}' }]] });
    expect(req(p.journeys[0]?.steps[0]).headers[0]?.[0]).toBe('authorization');
    expect(p.teardown).toHaveLength(1);
  });

  it('08: every think form', async () => {
    const p = await load('08-think-forms.yaml');
    expect(p.journeys[0]?.steps.map((s) => (s.kind === 'think' ? [s.minMs, s.maxMs] : s.kind))).toEqual([[1000, 1000], [0, 2000], [800, 1200], [90_000, 90_000]]);
  });

  it('09: loops by count, list, template and data rows', async () => {
    const p = await load('09-loops.yaml');
    const [a, b, , d, e, f] = p.journeys[0]?.steps ?? [];
    expect(a).toMatchObject({ kind: 'loop', count: 3, as: 'item' });
    expect(b).toMatchObject({ kind: 'loop', as: 'color', over: { kind: 'array', items: [{ kind: 'const', value: 'red' }, {}, {}] } });
    expect(d).toMatchObject({ kind: 'loop', as: 'it', over: { kind: 'tpl' } });
    expect(e).toMatchObject({ kind: 'loop', as: 'p', over: { kind: 'array', items: [{ kind: 'object', entries: [['sku', { kind: 'const', value: '101' }], ['name', { kind: 'const', value: 'Lamp' }]] }, {}] } });
    expect(f).toMatchObject({ kind: 'loop', count: 2 });
    expect(p.data[0]).toMatchObject({ columns: ['sku', 'name'], rows: [['101', 'Lamp'], ['102', 'Desk']] });
  });

  it('10: conditions compile to compare / chance / all / any / not', async () => {
    const p = await load('10-conditions.yaml');
    const ifs = (p.journeys[0]?.steps ?? []).filter((s) => s.kind === 'if');
    expect(ifs.map((s) => (s.kind === 'if' ? s.condition.kind : ''))).toEqual(['compare', 'chance', 'all', 'any']);
    expect(ifs[0]).toMatchObject({ condition: { cmp: { op: 'gt', value: 3 } }, then: [{ kind: 'request', method: 'POST' }], else: [{ kind: 'log' }] });
    expect(ifs[1]).toMatchObject({ condition: { probability: 0.3 } });
    expect(ifs[3]).toMatchObject({ condition: { of: [{ cmp: { op: 'matches', pattern: '^(open|new)$', flags: 'i' } }, { kind: 'chance', probability: 0.1 }] } });
  });

  it('12: every matcher and capture kind', async () => {
    const p = await load('12-matchers.yaml');
    const s = req(p.journeys[0]?.steps[0]);
    expect(s.query.map(([k, v]) => [k, v.source])).toEqual([['q', 'lamp'], ['page', '1']]);
    expect(s.expect.map((m) => m.kind)).toEqual(['status', 'header', 'header', 'json', 'json', 'json', 'json', 'body', 'latency']);
    expect(s.expect[0]).toMatchObject({ kind: 'status' });
    expect((s.expect[0] as unknown as { oneOf: number[] }).oneOf).toHaveLength(100);
    expect(s.checks.map((c) => c.name)).toEqual(['fast', 'not_empty', 'cached', 'no_error', 'is_200']);
    const html = req(p.journeys[0]?.steps[1]);
    expect(html.captures).toEqual([
      { kind: 'regex', as: 'csrf', pattern: 'name="csrf" value="([^"]+)"', flags: '', group: 1, optional: false },
      { kind: 'status', as: 'code', optional: false },
    ]);
    expect(p.http.compression).toBe(false);
    // a constant pattern stays a source; a templated one keeps its template (rendered per response)
    expect(s.expect.find((m) => m.kind === 'body')).toMatchObject({ cmp: { op: 'matches', pattern: '"items"', flags: '' } });
    expect(s.expect.find((m) => m.kind === 'body')).not.toHaveProperty('cmp.template');
    const echo = req(p.journeys[0]?.steps[2]);
    expect(echo.expect[0]).toMatchObject({ kind: 'json', cmp: { op: 'matches', pattern: '^{{ csrf }}$', flags: '', template: { source: '^{{ csrf }}$' } } });
    expect(echo.checks.map((c) => [c.name, c.all[0]?.kind === 'status' || c.all[0]?.kind === 'latency' ? undefined : c.all[0]?.cmp])).toEqual([
      ['loose', expect.objectContaining({ op: 'matches', flags: 'im' })],
      ['same_token', expect.objectContaining({ op: 'matches', flags: 'i', pattern: 'value="{{ regexEscape(csrf) }}"' })],
    ]);
  });

  it('13: http options, bodies, methods and retry', async () => {
    const p = await load('13-bodies-retry.yaml');
    expect(p.http).toMatchObject({ connectTimeoutMs: 2000, connectionPolicy: 'per-vu', connections: 4, keepAlive: false, tlsVerify: false, followRedirects: false, maxRedirects: 0, http2: true, cookies: false });
    const steps = (p.journeys[0]?.steps ?? []).map(req);
    expect(steps.map((s) => s.method)).toEqual(['POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'GET']);
    expect(steps[0]?.retry).toEqual({ attempts: 3, on: ['refused', 'reset', 'timeout', '5xx', '429'], backoffMs: 100, maxBackoffMs: 2000, jitter: 0.2 });
    expect(steps[1]).toMatchObject({ timeoutMs: 2000, body: { kind: 'text', contentType: 'text/plain' }, retry: { attempts: 2, on: ['timeout', '5xx'], backoffMs: 50, maxBackoffMs: 1000, jitter: 0.5 } });
    expect(steps[5]?.tags).toEqual({ api: 'external' });
    expect(p.thresholds[0]?.filter).toEqual({ api: 'external' });
  });

  it('14: custom metrics, set and journey tags', async () => {
    const p = await load('14-metrics-set.yaml');
    const steps = p.journeys[0]?.steps ?? [];
    expect(steps.filter((s) => s.kind === 'metric').map((s) => (s.kind === 'metric' ? [s.metric, s.type, s.value] : []))).toEqual([
      ['orders_placed', 'counter', { kind: 'const', value: 1 }],
      ['order_value', 'trend', { kind: 'tpl', template: expect.objectContaining({ source: '{{ total }}' }) }],
      ['order_ok', 'rate', { kind: 'const', value: true }],
    ]);
    expect(steps[1]).toMatchObject({ kind: 'set', vars: [['doubled', { kind: 'tpl' }], ['label', { kind: 'tpl' }]] });
    expect(p.journeys[0]?.tags).toEqual({ team: 'shop' });
    expect(p.thresholds.map((t) => t.metric)).toEqual(['orders_placed', 'order_value', 'order_ok', 'journey.duration']);
  });

  it('15: inline rows, unique order and recycling', async () => {
    const p = await load('15-inline-data-unique.yaml');
    expect(p.data.map((d) => [d.name, d.order, d.onExhausted, d.columns, d.rows])).toEqual([
      ['coupons', 'unique', 'recycle', ['code', 'pct'], [['A1', '10'], ['B2', '20']]],
      ['cities', 'sequential', 'stop', ['name', 'zip'], [['Paris', '75001'], ['Lyon', '69001']]],
      ['skus', 'sequential', 'stop', ['sku', 'name'], [['101', 'Lamp']]],
    ]);
    expect(p.data[0]?.file).toBeUndefined();
  });

  it('16: ${ENV} interpolation with defaults, typing and escapes', async () => {
    const d = await load('16-env-interpolation.yaml');
    expect(d.name).toBe('env-demo');
    expect(d.variables).toEqual({ apiKey: 'dev-key', literal: '${NOT_INTERPOLATED}' });
    expect(d.secrets).toEqual(['dev-key']);
    const e = await load('16-env-interpolation.yaml', { SCENARIO_NAME: 'x', TARGET_URL: 'https://t.example', API_KEY: 'k', DURATION: '1m', RATE: '12' });
    expect([e.name, e.target, e.secrets]).toEqual(['x', 'https://t.example', ['k']]);
    expect(e.load.model === 'open' && [e.load.phases[0]?.durationMs, e.load.phases[0]?.rate]).toEqual([60_000, 12]);
  });

  it('22: ${ENV} inside flow mappings: read, typed, and overridable', async () => {
    const phases = (p: Plan): unknown => p.load.model === 'open' && p.load.phases.map((ph) => [ph.name, ph.durationMs, ph.rate, ph.rampTo]);
    const d = await load('22-env-flow-mapping.yaml');
    expect(phases(d)).toEqual([['warm-up', 10_000, 5, 20], ['steady', 60_000, 20, undefined]]);
    expect(d.http.timeoutMs).toBe(5000);
    const e = await load('22-env-flow-mapping.yaml', { WARM: '3', RATE: '2', PEAK: '9', STEADY: '5s', TIMEOUT: '2' });
    expect(phases(e)).toEqual([['warm-up', 3000, 2, 9], ['steady', 5000, 9, undefined]]);
    expect(e.http.timeoutMs).toBe(2000);
  });

  it('23: a multipart file path from a data column: every file read at load time', async () => {
    const p = await load('23-multipart-from-data.yaml');
    const body = req(p.journeys[0]?.steps[0]).body;
    if (body?.kind !== 'multipart') throw new Error('multipart');
    const part = body.parts[1];
    if (!part || !('choose' in part)) throw new Error('a chosen file part');
    expect(part.choose.path.source).toBe('bodies/{{ uploads.path }}');
    expect(Object.keys(part.choose.files).sort()).toEqual(['bodies/note.txt', 'bodies/order.json']);
    expect(part.choose.files['bodies/order.json']).toMatchObject({ filename: 'order.json', contentType: 'application/json' });
    expect(Buffer.from(part.choose.files['bodies/note.txt']?.base64 ?? '', 'base64').toString()).toBe(readFileSync(join(dir, 'bodies/note.txt'), 'utf8'));
  });

  it('17: environments overlay target and variables; --target wins', async () => {
    const base = await load('17-environments.yaml');
    expect([base.target, base.variables.tenant]).toEqual(['http://127.0.0.1:8080', 'dev']);
    const st = await load('17-environments.yaml', {}, { environment: 'staging' });
    expect([st.target, st.variables.tenant]).toEqual(['https://staging.example.com', 'stage']);
    const o = await load('17-environments.yaml', {}, { environment: 'staging', target: 'http://127.0.0.1:9' });
    expect(o.target).toBe('http://127.0.0.1:9');
    expect(base.journeys.map((j) => j.weight)).toEqual([0.5, 1.5]);
  });

  it('18: anchors and aliases expand to the same step', async () => {
    const p = await load('18-anchors.yaml');
    const [a, , c] = p.journeys[0]?.steps ?? [];
    expect(req(c).name).toBe('product');
    expect(req(c).expect).toEqual(req(a).expect);
  });

  it('19: include merges a shared file under the scenario; its data paths stay relative to it', async () => {
    const p = await load('19-include.yaml');
    expect(p.target).toBe('http://127.0.0.1:8080');
    expect([p.http.timeoutMs, p.http.connections]).toEqual([3000, 10]);
    expect(p.http.headers.map(([k, v]) => [k, v.source])).toEqual([['accept', 'application/json'], ['x-suite', 'own']]);
    expect(p.variables).toEqual({ tenant: 'own', region: 'eu' });
    expect(p.secrets).toEqual(['eu']);
    expect(p.data[0]).toMatchObject({ name: 'skus', file: join(dir, 'shared/data/skus.csv'), rows: [['7'], ['8']] });
    expect(p.thresholds.map((t) => t.key)).toEqual(['http.errors', 'http.latency']);
  });

  it('20: basic auth becomes a compiled authorization header; body files load as JSON or text templates', async () => {
    const p = await load('20-auth-bodyfile.yaml');
    const [order, note] = (p.journeys[0]?.steps ?? []).map(req);
    const auth = order?.headers.find(([k]) => k === 'authorization')?.[1];
    expect(auth?.source).toBe('Basic {{ base64(concat(user, ":", password)) }}');
    expect(compileTemplate(auth?.source ?? '')).toEqual(auth);
    expect(note?.headers.find(([k]) => k === 'authorization')?.[1].source).toBe('Basic {{ base64(concat("admin", ":", concat("pw-", password))) }}');
    expect(order?.body).toMatchObject({ kind: 'json', value: { kind: 'object', entries: [['productId', { kind: 'tpl' }], ['qty', { kind: 'const', value: 2 }], ['note', {}], ['tags', {}]] } });
    expect(note?.body).toMatchObject({ kind: 'text', contentType: 'text/plain; charset=utf-8', template: { source: 'Dear {{ user }},\nthanks.\n' } });
  });

  it('21: tagWith tags a request from a response header, and thresholds may filter on it', async () => {
    const p = await load('21-tag-with.yaml');
    const [product, wait] = p.journeys[0]?.steps ?? [];
    expect(req(product).tagWith).toEqual([{ tag: 'cache', header: 'x-cache' }]);
    expect(wait?.kind === 'poll' && wait.request.tagWith).toEqual([{ tag: 'worker', header: 'x-worker' }]);
    expect(req((await load('02-minimal-closed.yaml')).journeys[0]?.steps[0]).tagWith).toBeUndefined();
    expect(p.thresholds.map((t) => t.filter)).toEqual([{ step: 'product', cache: 'HIT', phase: 'steady' }, { cache: 'MISS' }, { worker: 'a' }]);
  });
});
