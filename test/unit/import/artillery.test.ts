import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ImportError, importArtillery, parseArtillery, readArtillery, type ImportResult } from '../../../src/import/index.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

const dir = fileURLToPath(new URL('../../fixtures/import/artillery/', import.meta.url));
type Obj = Record<string, unknown>;

async function imported(name: string): Promise<{ r: ImportResult; doc: Obj; journeys: { name: string; weight?: number; steps: Obj[] }[] }> {
  const r = importArtillery(await readArtillery(`${dir}${name}`, name), { name: name.replace(/\.yml$/, ''), file: name });
  const doc = parse(r.yaml) as Obj;
  return { r, doc, journeys: doc['journeys'] as { name: string; weight?: number; steps: Obj[] }[] };
}

/** The scenario as if written beside the script (payload CSVs and form files resolve there). */
async function problems(r: ImportResult): Promise<string[]> {
  const v = await parseScenarioText(r.yaml, 'out.yaml', { env: {} }, `${dir}out.yaml`);
  return v.problems.map((p) => `${p.loc.line}: ${p.message}`);
}

describe('rampart import artillery', () => {
  it('config: phases, payload, variables, environments, ensure and http settings', async () => {
    const { r, doc } = await imported('storefront.yml');
    expect(doc['target']).toBe('https://shop.example.test');
    expect(doc['load']).toEqual({
      phases: [
        { name: 'warm-up', duration: '60s', rate: 5, rampTo: 20 },
        { duration: '2m', rate: 20 },
        { pause: '10s' },
        { name: 'trickle', duration: '30s', arrivals: 12 },
      ],
      maxVus: 500,
    });
    expect(doc['data']).toEqual({
      users: { file: 'users.csv', columns: ['email', 'password'], skipHeader: true, order: 'random' },
      color_values: { rows: [{ color: 'red' }, { color: 'green' }, { color: 'blue' }], order: 'random' },
    });
    expect(doc['variables']).toEqual({ currency: 'EUR', SHOP_API_KEY: '${SHOP_API_KEY:-}' });
    expect(doc['environments']).toEqual({ staging: { target: 'https://staging.shop.example.test', variables: { currency: 'GBP' } } });
    expect(doc['thresholds']).toEqual({ 'http.latency': ['p(95) <= 250', 'p(99) <= 500'], 'http.errors': ['rate <= 1%'] });
    expect(doc['http']).toEqual({ timeout: '10s', connections: 50, headers: { 'x-client': 'artillery-suite' }, insecureSkipTlsVerify: true });
    expect(r.yaml).toMatch(/# NOT IMPORTED \(30:9\): environment staging: `phases` is not part of a rampart environment/);
    expect(r.warnings).toContain('storefront.yml:30:9: environment staging: `phases` is not part of a rampart environment (target and variables only)');
    expect(await problems(r)).toEqual([]);
  });

  it('scenarios: weights, requests with query, headers, json, form, formData; captures and expectations', async () => {
    const { journeys } = await imported('storefront.yml');
    expect(journeys.map((j) => [j.name, j.weight])).toEqual([
      ['browse', 3],
      ['buy', 1],
    ]);
    const [products, think, product] = journeys[0]?.steps ?? [];
    expect(products).toEqual({
      get: '/products',
      query: { page: '{{ random.int(1, 5) }}', color: '{{ color_values.color }}' },
      expect: { status: 200, headers: { 'content-type': { contains: 'application/json' } }, jsonPaths: { '$.items': { exists: true } } },
      capture: { productId: { json: '$.items[0].id' }, requestId: { header: 'x-request-id' } },
    });
    expect(think).toEqual({ think: '2s' });
    expect(product).toEqual({ get: '/products/{{ productId }}', headers: { 'x-request-id': '{{ requestId }}' } });
    const buy = journeys[1]?.steps ?? [];
    expect(buy[0]?.['capture']).toEqual({ csrf: { css: 'input[name=csrf]', attribute: 'value' }, build: { regex: 'build ([0-9a-f]+)' } });
    expect(buy[1]).toEqual({ post: '/login', form: { csrf: '{{ csrf }}', email: '{{ users.email }}', password: '{{ users.password }}' }, expect: { status: [200, 302] } });
    expect(buy[2]).toMatchObject({ post: '/cart', json: { sku: '{{ color_values.color }}', currency: '{{ currency }}', apiKey: '{{ SHOP_API_KEY }}' }, capture: { cartId: { json: '$.cartId' } } });
    expect(buy.find((s) => s['post'] === '/avatar')?.['multipart']).toEqual({ caption: 'me', photo: { file: './avatar.png', contentType: 'image/png' } });
  });

  it('flow: loop over a list and a count, ifTrue as if where it can be read, log', async () => {
    const { r, journeys } = await imported('storefront.yml');
    const buy = journeys[1]?.steps ?? [];
    expect(buy).toContainEqual({ loop: { over: ['sku-1', 'sku-2'] }, steps: [{ get: '/cart/{{ cartId }}/items/{{ item }}' }] });
    expect(buy).toContainEqual({ loop: 3, steps: [{ post: '/cart/{{ cartId }}/ping' }] });
    expect(buy).toContainEqual({ if: { value: '{{ cartId }}' }, then: [{ get: '/checkout' }] });
    expect(buy).toContainEqual({ if: { value: '{{ build }}', equals: 'abc1' }, then: [{ get: '/coupon' }] });
    // a JavaScript condition: the request stays, and the comment and stderr say why
    expect(buy).toContainEqual({ get: '/recommendations' });
    expect(r.yaml).toMatch(/# NOT IMPORTED \(132:19\): ifTrue "Math\.random\(\) < 0\.5" is a JavaScript expression rampart cannot read: the request always runs\n\s+- get: \/recommendations/);
    expect(buy.at(-1)).toEqual({ log: 'bought with cart {{ cartId }}' });
  });

  it('before and after flows run once around the load: setup and teardown', async () => {
    const { doc } = await imported('storefront.yml');
    expect(doc['setup']).toEqual([{ post: '/admin/reset', capture: { seed: { json: '$.seed' } } }]);
    expect(doc['teardown']).toEqual([{ log: 'done with seed {{ seed }}' }]);
  });

  it('JavaScript hooks: a comment where each stood, in order, and the list at the end', async () => {
    const { r } = await imported('storefront.yml');
    expect(r.yaml).toMatch(/# JavaScript hook not run \(98:19\): function setCartCookie.*\n\s+# JavaScript hook not run \(101:26\): beforeRequest signBody.*\n\s+- post: \/cart/);
    expect(r.yaml).toMatch(/# JavaScript hook not run \(80:21\): beforeScenario login.*\n\s+- name: buy/);
    const tail = r.yaml.slice(r.yaml.indexOf('# JavaScript hooks of the script, not run by rampart:'));
    expect(tail.split('\n').filter((l) => l.startsWith('# - storefront.yml:'))).toHaveLength(5);
    for (const h of ['processor ./hooks.js', 'beforeScenario login', 'function setCartCookie', 'beforeRequest signBody', 'afterResponse logIt']) expect(tail).toContain(h);
    expect(r.warnings.filter((w) => w.startsWith('JavaScript hook not imported: storefront.yml:'))).toHaveLength(5);
  });

  it('a script that is not YAML, or not Artillery, is refused with its position', () => {
    const bad = (): unknown => parseArtillery('config:\n  target: a: b\nscenarios: []\n', 'bad.yml');
    expect(bad).toThrow(ImportError);
    try {
      bad();
    } catch (err) {
      expect((err as ImportError).problems[0]?.loc).toMatchObject({ file: 'bad.yml', line: 2 });
    }
    expect(() => parseArtillery('config: {}\n', 'x.yml')).toThrow(/no `scenarios` list/);
    expect(() => parseArtillery('scenarios:\n  - flow: []\n  - !!js/function "x"\n', 'x.yml')).toThrow(ImportError);
  });

  it('a script written for the shop of the tests imports without a warning', async () => {
    const { r } = await imported('login.yml');
    expect(r.warnings).toEqual([]);
    expect(await readFile(`${dir}login.yml`, 'utf8')).toContain('scenarios:');
    expect(await problems(r)).toEqual([]);
  });

  it('an empty flow, a websocket scenario and a script without phases still give a valid scenario, and say what is missing', async () => {
    const script = parseArtillery('config:\n  target: http://127.0.0.1:1\nscenarios:\n  - name: idle\n    flow: []\n  - engine: ws\n    flow: [{ send: hello }]\n', 'odd.yml');
    const r = importArtillery(script, { name: 'odd', file: 'odd.yml' });
    expect(r.warnings).toEqual([
      'odd.yml:2:3: no phases: one arrival per second for a minute',
      'odd.yml:5:11: an empty flow: the journey only logs a line',
      'odd.yml:6:13: engine ws is not HTTP: the journey is a placeholder',
    ]);
    expect(await problems(r)).toEqual([]);
  });
});
