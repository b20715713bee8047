import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenarioText, validateScenario, loadScenario } from '../../../src/scenario/index.js';
import { parseSource, MAX_NESTING, MAX_SCENARIO_BYTES } from '../../../src/scenario/source.js';
import { interpolateEnv } from '../../../src/scenario/env.js';
import { ScenarioError } from '../../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-scenario-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ok = 'name: t\ntarget: http://127.0.0.1:1\nload: { vus: 1, duration: 1s }\njourneys: [{ name: j, steps: [{ get: /x }] }]\n';

describe('YAML safety', () => {
  it('rejects files over the size cap before parsing', async () => {
    const file = join(dir, 'big.yaml');
    await writeFile(file, `${ok}# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`);
    const r = await validateScenario(file, { env: {} });
    expect(r.problems.map((p) => p.code)).toEqual(['RAMPART_FILE_TOO_LARGE']);
    expect(parseSource('x'.repeat(MAX_SCENARIO_BYTES + 1), 'f', {}).problems[0]?.code).toBe('RAMPART_FILE_TOO_LARGE');
  });

  it('rejects a billion-laughs document fast', () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const t0 = performance.now();
    const r = parseSource(levels.join('\n'), 'bomb.yaml', {});
    expect(r.problems.map((p) => p.code)).toEqual(['RAMPART_YAML_ALIAS_BOMB']);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('never lets __proto__ reach a prototype', async () => {
    const r = await parseScenarioText(`${ok}variables:\n  __proto__: { polluted: true }\n  "constructor": 1\n`, 'p.yaml', { env: {} });
    expect(r.problems.map((p) => p.code)).toEqual(['RAMPART_UNSAFE_KEY', 'RAMPART_UNSAFE_KEY']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const src = parseSource('a:\n  __proto__: { polluted: true }\n', 'p.yaml', {});
    const a = (src.value as Record<string, unknown>).a as object;
    expect(Object.getPrototypeOf(a)).toBeNull();
    expect(Object.keys(a)).toEqual([]);
  });

  it('rejects tags outside the core schema, anywhere', async () => {
    for (const doc of ['x: !!js/function "f"', 'x: !!binary aGk=', 'x: !!set { a, b }', 'x: !custom 1', 'x: !!timestamp 2001-12-14']) {
      expect(parseSource(doc, 't.yaml', {}).problems.map((p) => p.code)).toContain('RAMPART_YAML_TAG');
    }
    expect(parseSource('x: !!str 12\ny: !!int "3"', 't.yaml', {}).problems).toEqual([]);
  });

  it('reports one syntax error with its position, not the parser cascade', () => {
    const r = parseSource('a: [1, 2\nb: c\nd: e\n', 's.yaml', {});
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.code).toBe('RAMPART_YAML_SYNTAX');
  });

  it('loadScenario throws a ScenarioError carrying every problem', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: t\nload: { vus: 1, duration: 1 }\njourneys: [{ name: j, weight: 0, steps: [{ get: http://x/ }] }]\nextra: 1\n');
    const err = await loadScenario(file, { env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).problems.map((p) => p.code)).toEqual(['RAMPART_DURATION', 'RAMPART_UNKNOWN_KEY']);
    const missing = await validateScenario(join(dir, 'nope.yaml'), { env: {} });
    expect(missing.problems[0]?.code).toBe('RAMPART_FILE_READ');
  });

  it('never mutates its input and returns the same Plan for the same text', async () => {
    const a = await parseScenarioText(ok, 'same.yaml', { env: {} });
    const b = await parseScenarioText(ok, 'same.yaml', { env: {} });
    expect(a.plan).toEqual(b.plan);
    expect(Object.isFrozen(a.plan)).toBe(true);
  });
});

describe('environment interpolation', () => {
  it('replaces ${NAME} and ${NAME:-default}, keeps $${ literal, reports unset names with offsets', () => {
    expect(interpolateEnv('a ${X} b ${Y:-dflt} c $${Z}', { X: '1' })).toEqual({ value: 'a 1 b dflt c ${Z}', unset: [], whole: false });
    expect(interpolateEnv('${X:-}', {}).value).toBe('');
    expect(interpolateEnv('x=${MISSING}', {}).unset).toEqual([{ name: 'MISSING', offset: 2 }]);
    expect(interpolateEnv('${X}', { X: '' }).value).toBe('');
  });

  it('interpolates values, never keys, and types a lone unquoted reference', async () => {
    const src = parseSource('${K}: 1\nn: ${N:-5}\nq: "${N:-5}"\nb: ${B:-true}\n', 'e.yaml', {});
    expect(src.value).toEqual(Object.assign(Object.create(null), { '${K}': 1, n: 5, q: '5', b: true }));
  });

  it('points at the ${ of an unset variable inside a string', () => {
    const r = parseSource('x: "abc ${NOPE} d"\n', 'e.yaml', {});
    expect(r.problems[0]).toMatchObject({ code: 'RAMPART_ENV_UNSET', loc: { line: 1, col: 9, pointer: '/x' } });
  });

  it('falls back to the value start when the string is not written verbatim (escapes, block scalars)', () => {
    const escaped = parseSource('x: "a\\"b ${NOPE}"\n', 'e.yaml', {});
    expect(escaped.problems[0]?.loc).toMatchObject({ line: 1, col: 4 });
    const block = parseSource('x: |\n  line one\n  ${NOPE}\n', 'e.yaml', {});
    expect(block.problems[0]?.loc).toMatchObject({ line: 1, col: 4 });
  });

  it('reads ${…} inside flow mappings and lists, typed as a plain value, at its own column', () => {
    const src = parseSource('p: { duration: ${D:-2}s, rate: ${RATE}, peak: ${P:-x} }\nl: [${RATE}, "${RATE}", a${RATE}b]\n${K}: { k: ${NOPE} }\n', 'e.yaml', { RATE: '7' });
    const o = (v: object): object => Object.assign(Object.create(null), v);
    expect(src.value).toEqual(o({ p: o({ duration: '2s', rate: 7, peak: 'x' }), l: [7, '7', 'a7b'], '${K}': o({ k: '${NOPE}' }) }));
    expect(src.problems).toEqual([expect.objectContaining({ code: 'RAMPART_ENV_UNSET', loc: { file: 'e.yaml', line: 3, col: 12, pointer: '/${K}/k' } })]);
  });

  it('leaves text that already holds private-use characters alone', () => {
    const src = parseSource('a: "\uE000 ${X:-1}"\nb: ${X:-2}\n', 'e.yaml', {});
    expect(src.value).toEqual(Object.assign(Object.create(null), { a: '\uE000 1', b: 2 }));
  });
});

describe('document shape limits', () => {
  it('ignores a UTF-8 byte-order mark: columns on line 1 are as the editor shows them', async () => {
    const r = await parseScenarioText(`\uFEFFname: 5\n${ok.slice(ok.indexOf('\n') + 1)}`, 'bom.yaml', { env: {} });
    expect(r.problems.map((p) => [p.code, p.loc.line, p.loc.col])).toEqual([['RAMPART_SCHEMA', 1, 7]]);
  });

  it(`refuses collections nested deeper than ${MAX_NESTING} levels at the first one past it, flow or block, however deep`, () => {
    for (const n of [101, 2000]) {
      const flow = parseSource(`x: ${'['.repeat(n)}1${']'.repeat(n)}\n`, 'd.yaml', {});
      expect(flow.value).toBeUndefined();
      expect(flow.problems).toEqual([expect.objectContaining({ code: 'RAMPART_YAML_NESTING', loc: expect.objectContaining({ line: 1, col: 4 + MAX_NESTING - 1 }) })]);
      expect(flow.problems[0]?.loc.pointer).toBe(`/x${'/0'.repeat(MAX_NESTING - 1)}`);
    }
    const block = parseSource(Array.from({ length: 120 }, (_, i) => `${'  '.repeat(i)}a:`).join('\n') + ' 1\n', 'd.yaml', {});
    expect(block.problems).toEqual([expect.objectContaining({ code: 'RAMPART_YAML_NESTING', loc: expect.objectContaining({ line: MAX_NESTING + 1, col: 2 * MAX_NESTING + 1 }) })]);
    expect(parseSource(`x: ${'['.repeat(MAX_NESTING - 1)}1${']'.repeat(MAX_NESTING - 1)}\n`, 'd.yaml', {}).problems).toEqual([]);
  });
});
