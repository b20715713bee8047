import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ImportError, importHar, parseHar, readHar, type ImportResult } from '../../../src/import/index.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

const fixture = fileURLToPath(new URL('../../fixtures/import/storefront.har', import.meta.url));
type Step = Record<string, unknown> & { steps?: Step[]; parallel?: Step[] };

async function imported(opts: { keepStatic?: boolean; correlate?: boolean } = {}): Promise<{ r: ImportResult; doc: Record<string, unknown>; steps: Step[]; flat: Step[] }> {
  const r = importHar(await readHar(fixture, 'storefront.har'), { name: 'storefront', file: 'storefront.har', ...opts });
  const doc = parse(r.yaml) as Record<string, unknown>;
  const steps = (doc['journeys'] as { steps: Step[] }[])[0]?.steps ?? [];
  const flat: Step[] = [];
  const walk = (list: Step[]): void => {
    for (const s of list) {
      if (s.steps) walk(s.steps);
      else if (s.parallel) walk(s.parallel);
      else if (s['think'] === undefined) flat.push(s);
    }
  };
  walk(steps);
  return { r, doc, steps, flat };
}

async function validates(r: ImportResult): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-import-unit-'));
  for (const f of r.files) {
    await mkdir(dirname(join(dir, f.path)), { recursive: true });
    await writeFile(join(dir, f.path), f.content);
  }
  const file = join(dir, 'out.yaml');
  const v = await parseScenarioText(r.yaml, file, { env: { HOME: '/should/not/be/read' } }, file);
  return v.problems.map((p) => p.message);
}

describe('rampart import har: a realistic recording', () => {
  it('targets the main origin, drops static assets, other origins and unanswered requests, and says so', async () => {
    const { r, doc, flat } = await imported();
    expect(doc['target']).toBe('https://shop.example.test');
    const urls = flat.map((s) => String(s['get'] ?? s['post'] ?? s['put']));
    expect(urls.some((u) => u.includes('/assets/'))).toBe(false);
    expect(urls.some((u) => u.includes('analytics'))).toBe(false);
    expect(r.warnings.join('\n')).toMatch(/3 static asset request\(s\) dropped .*--keep-static/);
    expect(r.warnings.join('\n')).toMatch(/1 request\(s\) to https:\/\/analytics\.example\.net dropped/);
    expect(r.warnings.join('\n')).toMatch(/1 request\(s\) without a response/);
    expect(await validates(r)).toEqual([]);
  });

  it('pages become groups; requests in flight together a parallel step; gaps think times with jitter', async () => {
    const { steps } = await imported();
    expect(steps.map((s) => s['group'] ?? (s['think'] !== undefined ? 'think' : '?'))).toEqual(['Sign in', 'think', 'Your account', 'think', 'Order 900017']);
    expect(steps[1]?.['think']).toEqual({ duration: '3.1s', jitter: '20%' });
    const account = steps[2]?.steps ?? [];
    const parallel = account.find((s) => s.parallel);
    expect(parallel?.parallel?.map((s) => s['get'])).toEqual(['/api/users/{{ userId }}/cart', '/api/recommendations?user={{ userId }}']);
    expect(account.some((s) => s['think'] !== undefined)).toBe(true);
  });

  it('a CSRF token in HTML, a Location header, a bearer token and an id in JSON are captured and sent back as templates, each with a comment', async () => {
    const { r, flat } = await imported();
    const login = flat.find((s) => s['get'] === '/login');
    expect(login?.['capture']).toEqual({ authenticity_token: { css: 'input[name="authenticity_token"]', attribute: 'value' } });
    const post = flat.find((s) => s['post'] === '/login');
    expect(post?.['form']).toEqual({ authenticity_token: '{{ authenticity_token }}', email: 'qa@example.test', password: 'hunter2' });
    expect(post?.['capture']).toEqual({ location: { header: 'location' } });
    expect(post?.['expect']).toEqual({ status: 302 });
    expect(flat.some((s) => s['get'] === '{{ location }}')).toBe(true);
    const session = flat.find((s) => s['post'] === '/api/session');
    expect(session?.['capture']).toEqual({ userId: { json: '$.user.id' }, accessToken: { json: '$.accessToken' } });
    expect(flat.filter((s) => (s['headers'] as Record<string, string> | undefined)?.['authorization'] === 'Bearer {{ accessToken }}').length).toBeGreaterThanOrEqual(5);
    const orders = flat.find((s) => s['post'] === '/api/orders');
    expect(orders?.['json']).toEqual({ cartId: '{{ cartId }}' });
    expect(orders?.['capture']).toEqual({ orderId: { json: '$.id' } });
    expect(flat.some((s) => s['get'] === '/orders/{{ orderId }}')).toBe(true);
    // a value in a link of a page: a regex capture
    const cart = flat.find((s) => s['post'] === '/api/cart/items');
    expect((cart?.['json'] as Record<string, unknown>)['sku']).toBe('{{ products }}');
    expect(r.yaml).toMatch(/# correlated: "Zx9k2Lq8Vb7Nw3Rt5Yp1Hs4M" was found in HTML input\[name="authenticity_token"\] \(its value\); first sent back in form field authenticity_token of POST \/login \(entry 6\)/);
    expect(r.yaml).toMatch(/# correlated: "\/account\/7f3e9a21" was found in the Location header/);
    expect(r.yaml).toMatch(/# correlated: "eyJhbGciOiJIUzI1NiJ9…" was found in JSON \$\.accessToken; first sent back in the authorization header/);
    expect(r.yaml).toMatch(/# correlated: "sku-20394" was found in the body \(regex /);
  });

  it('an ambiguous value is listed, not guessed', async () => {
    const { r, flat } = await imported();
    expect(flat.some((s) => s['get'] === '/api/track/trk-55a1b2')).toBe(true);
    expect(r.yaml).toMatch(/# Not correlated \(left as recorded\):\n# - "trk-55a1b2" in the URL of GET \/api\/track\/trk-55a1b2 \(entry 14\) left as recorded: it appears in JSON \$\.trackingId and JSON \$\.shipment\.code/);
    expect(r.warnings.join('\n')).toMatch(/not correlated: "trk-55a1b2"/);
  });

  it('credentials never appear: an uncorrelated cookie and api key become secret variables read from the environment', async () => {
    const { r, doc, flat } = await imported();
    expect(r.yaml).not.toContain('granted-2026');
    expect(r.yaml).not.toContain('live_sk_4f9a8b7c6d5e');
    expect(r.yaml).not.toMatch(/s3ss10n|r0tat3d/); // cookies the server set: the jar sends them
    expect(doc['variables']).toEqual({ cookie: '${RAMPART_COOKIE:-}', xApiKey: '${RAMPART_X_API_KEY:-}' });
    expect(doc['secrets']).toEqual(['cookie', 'xApiKey']);
    expect(flat.find((s) => s['get'] === '/login')?.['headers']).toMatchObject({ cookie: '{{ cookie }}' });
  });

  it('cleans headers, expects the recorded status, and escapes template and environment syntax of recorded text', async () => {
    const { r, flat } = await imported();
    for (const s of flat) {
      const h = Object.keys((s['headers'] as Record<string, string> | undefined) ?? {});
      expect(h.filter((n) => /^(user-agent|accept-language|sec-|:|origin|content-type|host)/.test(n))).toEqual([]);
      expect(s['expect']).toBeDefined();
    }
    const cart = flat.find((s) => s['post'] === '/api/cart/items');
    expect((cart?.['json'] as Record<string, unknown>)['note']).toBe('Hi \\{{ name }}, $${HOME}');
    expect(r.yaml).toContain('note: Hi \\{{ name }}, $${HOME}');
  });

  it('multipart file parts get placeholder files; a binary body is reported, not dropped silently', async () => {
    const { r, flat } = await imported();
    const avatar = flat.find((s) => s['post'] === '/api/avatar');
    expect(avatar?.['multipart']).toEqual({ caption: 'me', photo: { file: 'files/me.png', filename: 'me.png', contentType: 'image/png' } });
    expect(r.files.map((f) => f.path)).toEqual(['files/me.png']);
    expect(r.yaml).toMatch(/# the recorded body \(9 bytes of application\/octet-stream\) is binary and was not imported/);
    expect(r.warnings.join('\n')).toMatch(/PUT \/api\/blob \(entry 16\): binary request body/);
  });

  it('--keep-static keeps the assets, as a parallel step; the result still validates', async () => {
    const { r, steps } = await imported({ keepStatic: true });
    const signIn = steps[0]?.steps ?? [];
    const parallel = signIn.find((s) => s.parallel);
    expect(parallel?.parallel?.map((s) => s['get'])).toEqual(['/assets/app.css', '/assets/app.js', '/assets/logo.png']);
    expect(await validates(r)).toEqual([]);
  });

  it('--no-correlate writes every value as recorded', async () => {
    const { r, flat } = await imported({ correlate: false });
    expect(r.yaml).not.toContain('capture');
    expect(flat.some((s) => s['get'] === '/orders/900017')).toBe(true);
    expect(await validates(r)).toEqual([]);
  });
});

describe('rampart import har: bad input', () => {
  it('malformed JSON is reported at its line and column', () => {
    try {
      parseHar('{\n  "log": {\n    "entries": [ , ]\n  }\n}', 'bad.har');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ImportError);
      const p = (err as ImportError).problems[0];
      expect(p?.loc).toMatchObject({ file: 'bad.har', line: 3, col: 18 });
      expect(p?.message).toMatch(/malformed JSON/);
      expect(p?.code).toBe('RAMPART_IMPORT');
    }
  });

  it('JSON that is not a HAR, and a HAR with nothing to import, are clear errors', () => {
    expect(() => parseHar('{"entries": []}', 'x.har')).toThrow(/no `log.entries` list/);
    expect(() => importHar(parseHar('{"log":{"entries":[]}}', 'x.har'), { name: 'x', file: 'x.har' })).toThrow(/no HTTP requests/);
  });

  it('a HAR larger than the limit is refused before it is read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-import-big-'));
    const file = join(dir, 'big.har');
    const { open } = await import('node:fs/promises');
    const h = await open(file, 'w');
    await h.truncate(129 * 1024 * 1024); // sparse: no memory, no disk
    await h.close();
    await expect(readHar(file, 'big.har')).rejects.toThrow(/129 MiB; rampart imports at most 128 MiB/);
    expect((await readFile(fixture, 'utf8')).length).toBeGreaterThan(0);
  });
});

/** A small HAR: each entry is [method, path, status, request body or undefined, response JSON or undefined]. */
function miniHar(entries: readonly [string, string, number, unknown, unknown][]): string {
  return JSON.stringify({
    log: {
      entries: entries.map(([method, path, status, req, res], i) => ({
        startedDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i * 100)).toISOString(),
        time: 50,
        _resourceType: 'fetch',
        request: { method, url: `https://api.example.test${path}`, headers: [], ...(req !== undefined ? { postData: { mimeType: 'application/json', text: JSON.stringify(req) } } : {}) },
        response: { status, headers: [], content: { mimeType: 'application/json', ...(res !== undefined ? { text: JSON.stringify(res) } : { size: 0 }) } },
      })),
    },
  });
}

describe('rampart import har: what is not a correlation', () => {
  it('a value the client sent first stays the client\'s own, even when a response echoes it', () => {
    const har = parseHar(miniHar([
      ['POST', '/api/orders', 201, { idempotencyKey: 'key-7a8b9c0d1e' }, { id: 'ord-1234abcd', idempotencyKey: 'key-7a8b9c0d1e' }],
      ['GET', '/api/orders/ord-1234abcd?key=key-7a8b9c0d1e', 200, undefined, { ok: true }],
    ]), 'mini.har');
    const r = importHar(har, { name: 'mini', file: 'mini.har' });
    expect(r.yaml).toContain('- get: /api/orders/{{ orderId }}?key=key-7a8b9c0d1e');
    expect(r.yaml).toContain('idempotencyKey: key-7a8b9c0d1e');
  });

  it('an id in a URL that no recorded response holds (a body the recorder lost) is reported', () => {
    const har = parseHar(miniHar([
      ['POST', '/api/checkout', 201, { sku: 'p-1' }, undefined],
      ['GET', '/orders/ord-c37b3aee16', 200, undefined, { ok: true }],
    ]), 'lost.har');
    const r = importHar(har, { name: 'lost', file: 'lost.har' });
    expect(r.warnings).toContain('not correlated: "ord-c37b3aee16" in the URL of GET /orders/ord-c37b3aee16 (entry 2) left as recorded: no earlier response of the recording holds it (a body the recorder did not keep?)');
    expect(r.yaml).toContain('- get: /orders/ord-c37b3aee16');
  });

  it('small numbers and words are never taken for ids', () => {
    const har = parseHar(miniHar([
      ['GET', '/api/config', 200, undefined, { pageSize: 20, mode: 'products' }],
      ['GET', '/api/products?pageSize=20&mode=products', 200, undefined, { ok: true }],
    ]), 'words.har');
    const r = importHar(har, { name: 'words', file: 'words.har' });
    expect(r.yaml).not.toContain('capture');
    expect(r.yaml).toContain('- get: /api/products?pageSize=20&mode=products');
  });
});
