/**
 * Hostile documents: YAML alias bombs and 10 MB files are refused quickly with bounded memory;
 * keys named __proto__/constructor never reach a prototype — through loading, templating (a JSON
 * body or a captured value holding __proto__) or merging metric snapshots with hostile tag names;
 * YAML tags outside the core schema are refused.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseScenarioText, validateScenario } from '../../src/scenario/index.js';
import { createRegistry, decodeSnapshot, encodeSnapshot, mergeAll, mergeSnapshots, selectSeries, summarize } from '../../src/metrics/index.js';
import { ERROR_CODES } from '../../src/errors.js';
import { runCli, scenarioFile } from '../support/run-helpers.js';
import type { Report } from '../../src/report/model.js';

function expectPrototypesClean(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.toString.call({})).toBe('[object Object]');
}
afterEach(expectPrototypesClean);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const opts = { env: {} };
const codes = (r: { problems: readonly { code: string }[] }): string[] => r.problems.map((p) => p.code);

/** Heap growth (bytes) while `fn` runs, after a GC when exposed. */
async function heapGrowth(fn: () => Promise<unknown>): Promise<{ bytes: number; ms: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  let peak = before.heapUsed + before.external;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.external);
  }, 5);
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  clearInterval(timer);
  const m = process.memoryUsage();
  peak = Math.max(peak, m.heapUsed + m.external);
  return { bytes: peak - (before.heapUsed + before.external), ms };
}

describe('YAML bombs and huge files', () => {
  it('a billion-laughs alias bomb is refused with bounded memory', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'abcdefghi';
    for (let i = 1; i < names.length; i++) {
      const prev = names[i - 1] as string;
      lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const text = `name: bomb\nvariables:\n${lines.map((l) => `  ${l}`).join('\n')}\nload: { vus: 1, duration: 1s }\njourneys: [{ name: j, steps: [{ get: http://127.0.0.1:9/ }] }]\n`;
    let codesSeen: string[] = [];
    const m = await heapGrowth(async () => {
      codesSeen = codes(await parseScenarioText(text, 'bomb.yaml', opts));
    });
    expect(codesSeen).toContain(ERROR_CODES.YAML_ALIAS_BOMB);
    // 9^9 ≈ 387 million nodes if expanded; refused after 10,000.
    expect(m.bytes).toBeLessThan(64 * 1024 * 1024);
    console.log(`alias bomb refused in ${m.ms.toFixed(1)} ms, heap +${(m.bytes / 1048576).toFixed(1)} MB`);
  });

  it('a quadratic blow-up through nested mappings of aliases is refused too', async () => {
    const lines = ['l0: &l0 { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 }'];
    for (let i = 1; i < 12; i++) lines.push(`l${i}: &l${i} { a: *l${i - 1}, b: *l${i - 1}, c: *l${i - 1}, d: *l${i - 1} }`);
    const text = `name: bomb\nx:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
    const r = await parseScenarioText(text, 'bomb.yaml', opts);
    expect(codes(r)).toContain(ERROR_CODES.YAML_ALIAS_BOMB);
  });

  it('a 10 MB scenario file is refused from its size, before it is read', async () => {
    const file = join(dir, 'huge.yaml');
    const filler = `# ${'x'.repeat(1022)}\n`;
    await writeFile(file, `name: huge\n${filler.repeat(10 * 1024)}`);
    let problems: readonly { code: string; message: string }[] = [];
    const m = await heapGrowth(async () => {
      problems = (await validateScenario(file, opts)).problems;
    });
    expect(problems.map((p) => p.code)).toEqual([ERROR_CODES.FILE_TOO_LARGE]);
    expect(problems[0]?.message).toMatch(/1 MiB/);
    expect(m.bytes).toBeLessThan(8 * 1024 * 1024);
    console.log(`10 MB file refused in ${m.ms.toFixed(1)} ms, heap +${(m.bytes / 1048576).toFixed(1)} MB`);
  });

  it('10 MB of text handed to the parser directly is refused without parsing it', async () => {
    const text = `name: huge\nvariables:\n${'  k: "v"\n'.repeat(1_200_000)}`;
    const t = performance.now();
    const r = await parseScenarioText(text, 'huge.yaml', opts);
    const ms = performance.now() - t;
    expect(codes(r)).toEqual([ERROR_CODES.FILE_TOO_LARGE]);
    console.log(`10 MB text refused in ${ms.toFixed(1)} ms`);
  });

  it('rampart validate / run on a 10 MB file: exit 2 with the size problem', async () => {
    const file = join(dir, 'huge-cli.yaml');
    await writeFile(file, Buffer.alloc(10 * 1024 * 1024, 0x20));
    for (const cmd of ['validate', 'run']) {
      const r = await runCli([cmd, file], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toMatch(/huge-cli\.yaml:1:1: .*at most 1048576 bytes.*\[RAMPART_FILE_TOO_LARGE\]/);
    }
  });
});

describe('unknown YAML tags', () => {
  for (const [tag, value] of [['!!js/function', '"function () { return 1 }"'], ['!!js/regexp', '/x/'], ['!!js/undefined', "''"], ['!Ref', 'other'], ['!!binary', 'aGVsbG8='], ['!!python/object:os.system', "'ls'"], ['!!set', '{ a, b }'], ['!!omap', '[ a: 1 ]']] as const) {
    it(`${tag} is refused with its position and pointer`, async () => {
      const text = `name: tags\nvariables:\n  v: ${tag} ${value}\nload: { vus: 1, duration: 1s }\njourneys: [{ name: j, steps: [{ get: http://127.0.0.1:9/ }] }]\n`;
      const r = await parseScenarioText(text, 'tags.yaml', opts);
      const p = r.problems.find((x) => x.code === ERROR_CODES.YAML_TAG);
      expect(p, JSON.stringify(r.problems)).toBeDefined();
      expect(p?.loc).toMatchObject({ line: 3, col: 6, pointer: '/variables/v' });
      expect(r.plan).toBeUndefined();
    });
  }
});

describe('__proto__ and constructor never reach a prototype', () => {
  it('loading: quoted, plain, flow and nested __proto__/constructor/prototype keys are refused where they are', async () => {
    const text = [
      'name: proto',
      'target: http://127.0.0.1:9',
      'variables: { "__proto__": { polluted: true } }',
      'http: { headers: { constructor: x } }',
      'load: { vus: 1, duration: 1s }',
      'journeys:',
      '  - name: j',
      '    steps:',
      '      - post: /x',
      '        json: { a: { "__proto__": { polluted: true } } }',
      '        capture: { __proto__: { json: $.a } }',
      '      - set: { prototype: 1 }',
      '',
    ].join('\n');
    const r = await parseScenarioText(text, 'proto.yaml', opts);
    const unsafe = r.problems.filter((p) => p.code === ERROR_CODES.UNSAFE_KEY).map((p) => p.loc.pointer);
    expect(unsafe).toEqual(['/variables/__proto__', '/http/headers/constructor', '/journeys/0/steps/0/json/a/__proto__', '/journeys/0/steps/0/capture/__proto__', '/journeys/0/steps/1/set/prototype']);
    expect(r.plan).toBeUndefined();
  });

  it('merge keys (<<) are plain keys, not a way around the check', async () => {
    const text = 'name: m\nbase: &b { __proto__: { polluted: true } }\nother: { <<: *b }\n';
    const r = await parseScenarioText(text, 'merge.yaml', opts);
    expect(codes(r)).toContain(ERROR_CODES.UNSAFE_KEY);
  });

  it('templating at run time: a captured value and a JSON body holding __proto__ stay data', async () => {
    let received = '';
    const server: Server = createServer((req, res) => {
      if (req.method === 'GET') {
        res.setHeader('content-type', 'application/json');
        res.end('{"payload": {"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "id": 7}, "__proto__": {"polluted": true}}');
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received = body;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { dir: d, file } = await scenarioFile(`
name: proto-run
target: ${url}
load: { vus: 1, iterations: 1 }
journeys:
  - name: j
    steps:
      - name: read
        get: /data
        capture:
          payload: { json: $.payload }
          inner: { json: "$.payload['__proto__']" }
          root: { json: "$['__proto__'].polluted" }
      - name: write
        post: /echo
        json: { payload: "{{ payload }}", inner: "{{ inner }}", root: "{{ root }}", text: "{{ json(payload) }}" }
`);
      const out = join(d, 'report.json');
      const r = await runCli(['run', file, '--quiet', '--out', out], { cwd: d });
      expect(r.code, r.stderr).toBe(0);
      const sent = JSON.parse(received) as Record<string, unknown>;
      // JSON.parse keeps __proto__ as an own key: what was captured went out as plain data.
      expect(Object.hasOwn(sent.payload as object, '__proto__')).toBe(true);
      expect((sent.payload as Record<string, unknown>).id).toBe(7);
      expect(JSON.parse('{"polluted": true}')).toEqual(sent.inner);
      expect(sent.root).toBe(true);
      expect(JSON.parse(sent.text as string)).toEqual(sent.payload);
      const report = JSON.parse(await readFile(out, 'utf8')) as Report;
      expect(report.journeys?.[0]).toMatchObject({ completed: 1, failed: 0 });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('metric snapshots: tags named __proto__/constructor survive record → encode → decode → merge as own keys', () => {
    const hostile = JSON.parse('{"__proto__": "x", "constructor": "y", "prototype": "z", "toString": "w"}') as Record<string, string>;
    const a = createRegistry({ now: () => 1_000 });
    const b = createRegistry({ now: () => 2_000 });
    try {
      a.trend('http.latency', hostile).record(1000);
      a.counter('http.requests', hostile).add(1);
      b.trend('http.latency', hostile).record(3000);
      b.rate('http.errors', hostile).add(true);
      const sa = decodeSnapshot(encodeSnapshot(a.cumulative()));
      const sb = decodeSnapshot(encodeSnapshot(b.cumulative()));
      const merged = mergeSnapshots(sa, sb);
      const all = mergeAll([sa, sb, merged]);
      expect(all).toBeDefined();
      const lat = selectSeries(merged, 'http.latency', JSON.parse('{"__proto__": "x"}') as Record<string, string>);
      expect(lat).toHaveLength(1);
      const tags = lat[0]?.tags ?? {};
      expect(Object.hasOwn(tags, '__proto__')).toBe(true);
      expect(Object.hasOwn(tags, 'constructor')).toBe(true);
      expect(Object.getOwnPropertyDescriptor(tags, '__proto__')?.value).toBe('x');
      expect(summarize(lat, 1000).count).toBe(2);
      // A filter without the hostile tag matches; one with a wrong value does not.
      expect(selectSeries(merged, 'http.latency', {})).toHaveLength(1);
      expect(selectSeries(merged, 'http.latency', JSON.parse('{"constructor": "nope"}') as Record<string, string>)).toHaveLength(0);
      // A hand-crafted snapshot with hostile series fields decodes without touching a prototype.
      const crafted = JSON.stringify({ ...JSON.parse(encodeSnapshot(merged)), __proto__: { polluted: true } });
      try {
        decodeSnapshot(crafted);
      } catch {
        // refusing is fine; polluting is not
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
