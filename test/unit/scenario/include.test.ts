import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateScenario } from '../../../src/scenario/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-include-'));
  await mkdir(join(dir, 'shared'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scenario = (include: string, extra = ''): string =>
  `name: t\ninclude: ${include}\nload: { vus: 1, duration: 1s }\njourneys: [{ name: j, steps: [{ name: s, get: "/x/{{ who }}" }] }]\n${extra}`;

describe('include', () => {
  it('merges in order: later files override earlier ones, the scenario overrides all', async () => {
    await writeFile(join(dir, 'shared/a.yaml'), 'target: http://127.0.0.1:1\nvariables: { who: a, a: 1 }\nhttp: { timeout: 1s, headers: { x-a: a } }\n');
    await writeFile(join(dir, 'shared/b.yaml'), 'target: http://127.0.0.1:2\nvariables: { who: b }\nhttp: { headers: { x-b: b } }\nsecrets: [who]\n');
    await writeFile(join(dir, 'order.yaml'), scenario('[shared/a.yaml, shared/b.yaml]', 'variables: { a: 2 }\n'));
    const r = await validateScenario(join(dir, 'order.yaml'), { env: { } });
    expect(r.problems).toEqual([]);
    expect(r.plan?.target).toBe('http://127.0.0.1:2');
    expect(r.plan?.variables).toEqual({ who: 'b', a: 2 });
    expect(r.plan?.http.timeoutMs).toBe(1000);
    expect(r.plan?.http.headers.map(([k]) => k)).toEqual(['x-a', 'x-b']);
    expect(r.plan?.secrets).toEqual(['b']);
  });

  it('places a problem of an included file in that file', async () => {
    await writeFile(join(dir, 'shared/typo.yaml'), 'target: http://127.0.0.1:1\nvariables: { who: a }\nhttp:\n  timout: 1s\n');
    await writeFile(join(dir, 'typo.yaml'), scenario('shared/typo.yaml'));
    const r = await validateScenario(join(dir, 'typo.yaml'), { env: {} });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'RAMPART_UNKNOWN_KEY', hint: 'did you mean `timeout`?', loc: { file: join(dir, 'shared/typo.yaml'), line: 4, col: 3, pointer: '/http/timout' } }),
    ]);
  });

  it('places a semantic problem from an included value in the included file', async () => {
    await writeFile(join(dir, 'shared/th.yaml'), 'target: http://127.0.0.1:1\nvariables: { who: a }\nthresholds:\n  "http.latency{step:nope}": ["p(95) < 1s"]\n');
    await writeFile(join(dir, 'th.yaml'), scenario('shared/th.yaml'));
    const r = await validateScenario(join(dir, 'th.yaml'), { env: {} });
    expect(r.problems.map((p) => [p.code, p.loc.file, p.loc.line, p.loc.col])).toEqual([['RAMPART_THRESHOLD', join(dir, 'shared/th.yaml'), 4, 3]]);
  });

  it('refuses scenario-only keys, nested includes and missing files', async () => {
    await writeFile(join(dir, 'shared/nested.yaml'), 'include: other.yaml\njourneys: []\n');
    await writeFile(join(dir, 'nested.yaml'), scenario('shared/nested.yaml'));
    const r = await validateScenario(join(dir, 'nested.yaml'), { env: {} });
    expect(r.problems.map((p) => [p.code, p.loc.pointer])).toEqual([['RAMPART_UNKNOWN_KEY', '/include'], ['RAMPART_UNKNOWN_KEY', '/journeys']]);
    await writeFile(join(dir, 'missing.yaml'), scenario('shared/none.yaml'));
    const m = await validateScenario(join(dir, 'missing.yaml'), { env: {} });
    expect(m.problems.map((p) => [p.code, p.loc.line, p.loc.col])).toEqual([['RAMPART_FILE_READ', 2, 10]]);
  });

  it('interpolates ${ENV} in included files too', async () => {
    await writeFile(join(dir, 'shared/env.yaml'), 'target: ${SHARED_TARGET}\nvariables: { who: x }\n');
    await writeFile(join(dir, 'env.yaml'), scenario('shared/env.yaml'));
    expect((await validateScenario(join(dir, 'env.yaml'), { env: { SHARED_TARGET: 'http://127.0.0.1:3' } })).plan?.target).toBe('http://127.0.0.1:3');
    const r = await validateScenario(join(dir, 'env.yaml'), { env: {} });
    expect(r.problems.map((p) => [p.code, p.loc.file])).toEqual([['RAMPART_ENV_UNSET', join(dir, 'shared/env.yaml')]]);
  });
});
