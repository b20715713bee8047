/**
 * Property-based fuzzing of the three parsers a scenario feeds: the loader (YAML text → problems or
 * a Plan), the template compiler/renderer and the threshold parser. Whatever the input, they answer
 * with a result or their own typed error — never another exception, never a hang, never a change to
 * Object.prototype. Several thousand cases per run in total.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/index.js';
import { compileTemplate, compileTemplateValue, KNOWN_FUNCTIONS, RenderError, renderTemplate, renderValue, TemplateError, type Scope } from '../../src/scenario/template/index.js';
import { parseThresholdExpression, parseThresholdKey, ThresholdSyntaxError } from '../../src/thresholds/index.js';

function expectPrototypesClean(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.keys(Array.prototype)).toEqual([]);
}
afterEach(expectPrototypesClean);

/** Runs `fn`; an error must be one of `allowed` (and carry an offset inside `source` when it has one). */
function onlyTyped(fn: () => unknown, allowed: readonly (abstract new (...a: never[]) => Error)[], source?: string): void {
  try {
    fn();
  } catch (e) {
    if (!allowed.some((c) => e instanceof c)) throw new Error(`unexpected ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} for ${JSON.stringify(source)}`);
    const offset = (e as { offset?: unknown }).offset;
    if (source !== undefined && typeof offset === 'number') {
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThanOrEqual(source.length);
    }
    expect((e as Error).message.length).toBeGreaterThan(5);
  }
}

const tokens = fc.constantFrom('{{', '}}', '{', '}', '(', ')', ',', '.', '[', ']', '"', "'", '\\', ' ', '-1', '0', '42', '2e3', 'x', 'a.b', 'vu.id',
  'true', 'null', '__proto__', 'constructor', 'prototype', 'random', 'random.int', 'concat', 'default', '\u0000', '\u{1F600}', '\uD800', '🙂', '\n');
const tokenText = fc.array(tokens, { maxLength: 24 }).map((t) => t.join(''));

// ---- templates ---------------------------------------------------------------------------------

const fnNames = [...KNOWN_FUNCTIONS];
const literal = fc.oneof(fc.integer({ min: -5, max: 40 }).map(String), fc.constantFrom('"a"', "'b'", 'true', 'null', '"::"', '1.5', '-0', '1e309'));
const ident = fc.constantFrom('user', 'user.name', 'list[0]', 'list[-1]', 'obj["__proto__"]', 'obj.constructor', 'obj.__proto__.polluted', 'missing', 'vu.iteration', 'hostile.__proto__', 'constructor', '__proto__');
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    ident,
    fc.tuple(fc.constantFrom(...fnNames), fc.array(tie('e'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
  ),
})).e;
const nearTemplate = fc.tuple(fc.string({ maxLength: 8 }), expr, fc.string({ maxLength: 8 }), fc.boolean()).map(([a, e, b, close]) => `${a}{{ ${e} ${close ? '}}' : ''}${b}`);

const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "name": "ok"}') as unknown;
const scopeValues: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, {
  user: { name: 'Ada', id: 7 },
  list: [1, 'two', { three: 3 }],
  obj: hostile,
  hostile,
  vu: { id: 1, iteration: 0 },
});
const scope: Scope = { lookup: (root) => (Object.hasOwn(scopeValues, root) ? scopeValues[root] : undefined), random: () => 0.5, now: () => 1_700_000_000_000 };

describe('template compiler and renderer', () => {
  it('any text compiles or raises a TemplateError with an offset inside it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60, unit: 'binary' }), tokenText, nearTemplate), (src) => {
        onlyTyped(() => compileTemplate(src), [TemplateError], src);
      }),
      { numRuns: 3000 },
    );
  });

  it('a compiled template renders a string or raises a RenderError — hostile values included', () => {
    fc.assert(
      fc.property(nearTemplate, (src) => {
        let t;
        try {
          t = compileTemplate(src);
        } catch (e) {
          if (e instanceof TemplateError) return;
          throw e;
        }
        onlyTyped(() => {
          const out = renderTemplate(t, scope);
          expect(typeof out).toBe('string');
        }, [RenderError], undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it('structured values (JSON bodies with __proto__ keys) compile and render without touching a prototype', () => {
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 10 }), nearTemplate),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'a', 'polluted'), tie('v')), { maxLength: 4 }).map((pairs) => {
          const o: Record<string, unknown> = {};
          for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
          return o;
        }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        let tv;
        try {
          tv = compileTemplateValue(v);
        } catch (e) {
          if (e instanceof TemplateError) return;
          throw e;
        }
        onlyTyped(() => {
          const out = renderValue(tv, scope);
          // Own keys survive as data; none became a prototype.
          if (out !== null && typeof out === 'object' && !Array.isArray(out)) {
            const proto = Object.getPrototypeOf(out) as unknown;
            expect(proto === Object.prototype || proto === null).toBe(true);
          }
        }, [RenderError]);
      }),
      { numRuns: 1000 },
    );
  });
});

// ---- thresholds --------------------------------------------------------------------------------

const aggs = fc.constantFrom('p(95)', 'p(99.9)', 'p(0)', 'p(100)', 'p(101)', 'p95', 'p()', 'avg', 'min', 'max', 'med', 'count', 'rate', 'sum', 'value', 'avrg', 'P(95)', '');
const ops = fc.constantFrom('<', '<=', '>', '>=', '==', '!=', '=', '=<', '', '<<');
const nums = fc.constantFrom('250', '1.5', '-3', '0', '1e3', '.5', '99999999999999999999', 'NaN', 'Infinity', '', '1.2.3');
const units = fc.constantFrom('', 'ms', 's', 'm', '%', 'h', 'us', 'µs', ' %');
const space = fc.constantFrom('', ' ', '  ', '\t', '\u00a0');
const nearExpr = fc.tuple(space, aggs, space, ops, space, nums, units, space).map((p) => p.join(''));
const tagVal = fc.constantFrom('product', '"GET /x/{id}"', "'a,b'", '::checkout', '"', '', '__proto__', 'constructor', '"esc\\"q"', '{', '}');
const tagName = fc.constantFrom('step', 'group', '__proto__', 'constructor', 'prototype', 'a.b-c_d', '', ' ', 'x y');
const nearKey = fc
  .tuple(fc.constantFrom('http.latency', 'checks', 'x', '9bad', '', 'a{'), fc.boolean(), fc.array(fc.tuple(tagName, tagVal), { maxLength: 3 }), fc.boolean())
  .map(([m, braces, tags, close]) => (braces ? `${m}{${tags.map(([k, v]) => `${k}:${v}`).join(',')}${close ? '}' : ''}` : m));

describe('threshold parser', () => {
  it('any expression parses or raises a ThresholdSyntaxError with an offset inside it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), nearExpr, tokenText), (src) => {
        onlyTyped(() => {
          const e = parseThresholdExpression(src);
          expect(Number.isFinite(e.value)).toBe(true);
        }, [ThresholdSyntaxError], src);
      }),
      { numRuns: 3000 },
    );
  });

  it('any key parses or raises a ThresholdSyntaxError; a filter never reaches a prototype', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), nearKey, tokenText), (src) => {
        onlyTyped(() => {
          const k = parseThresholdKey(src);
          for (const [tag, value] of Object.entries(k.filter)) {
            expect(typeof value).toBe('string');
            expect(Object.hasOwn(k.filter, tag)).toBe(true);
          }
        }, [ThresholdSyntaxError], src);
      }),
      { numRuns: 2000 },
    );
  });
});

// ---- the loader --------------------------------------------------------------------------------

const yamlScalar = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 12 }), nearTemplate, nearExpr, fc.constantFrom('5s', '0s', '1m30s', '10 secs', '${UNSET}', '${X:-1}', '$${x}', '50%', '10MB'));
const keys = fc.constantFrom('name', 'load', 'journeys', 'steps', 'get', 'post', 'json', 'thresholds', 'phases', 'rate', 'duration', 'vus', 'variables', 'capture', '__proto__', 'constructor', 'prototype', 'x');
const yamlValue = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    yamlScalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(keys, tie('v')), { maxLength: 5 }).map((pairs) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return o;
    }),
  ),
})).v;
const base = { name: 'fuzz', target: 'http://127.0.0.1:9', load: { vus: 1, duration: '1s' }, journeys: [{ name: 'j', steps: [{ get: '/x' }] }] };
const mutated = fc.tuple(fc.constantFrom(...Object.keys(base), 'thresholds', 'variables', 'http', 'data'), yamlValue).map(([k, v]) => stringify({ ...base, [k]: v }));
const yamlText = fc.oneof(fc.string({ maxLength: 200 }), yamlValue.map((v) => stringify(v)), mutated, tokenText);

describe('scenario loader', () => {
  it('any text gives problems (placed in the file) or a plan — never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(yamlText, async (text) => {
        const r = await parseScenarioText(text, '/tmp/fuzz.yaml', { env: { X: '1' } }, '/tmp/fuzz.yaml');
        expect(r.plan === undefined).toBe(r.problems.length > 0);
        for (const p of r.problems) {
          expect(p.loc.line).toBeGreaterThanOrEqual(1);
          expect(p.loc.col).toBeGreaterThanOrEqual(1);
          expect(p.code).toMatch(/^RAMPART_/);
        }
        expectPrototypesClean();
      }),
      { numRuns: 3000 },
    );
  });
});
