import { describe, expect, it } from 'vitest';
import {
  compileTemplate,
  compileTemplateValue,
  isTemplate,
  KNOWN_FUNCTIONS,
  TemplateError,
  templateRefs,
} from '../../../src/scenario/template/index.js';
import type { Expr } from '../../../src/scenario/plan.js';
import { ERROR_CODES } from '../../../src/errors.js';

const ref = (root: string, ...path: (string | number)[]): Expr => ({ kind: 'ref', root, path });
const lit = (value: string | number | boolean | null): Expr => ({ kind: 'lit', value });
const call = (fn: string, ...args: Expr[]): Expr => ({ kind: 'call', fn, args });

describe('compileTemplate: valid', () => {
  it.each<[string, (string | Expr)[], boolean]>([
    ['plain text', ['plain text'], false],
    ['', [], false],
    ['{{ productId }}', [ref('productId')], true],
    ['{{productId}}', [ref('productId')], true],
    [' {{ x }}', [' ', ref('x')], false],
    ['/products/{{ random.int(1, 500) }}', ['/products/', call('random.int', lit(1), lit(500))], false],
    ['{{ users.email }}', [ref('users', 'email')], true],
    ['{{ items[0].id }}', [ref('items', 0, 'id')], true],
    ['{{ items[-1] }}', [ref('items', -1)], true],
    ['{{ row["first name"] }}', [ref('row', 'first name')], true],
    ["{{ row['k'] }}", [ref('row', 'k')], true],
    ['{{ a . b [ 1 ] }}', [ref('a', 'b', 1)], true],
    ['{{ "text" }}', [lit('text')], true],
    ["{{ 'it\\'s' }}", [lit("it's")], true],
    ['{{ "a\\n\\t\\u0041\\\\" }}', [lit('a\n\tA\\')], true],
    ['{{ "}}" }}', [lit('}}')], true],
    ['{{ 42 }}', [lit(42)], true],
    ['{{ -1.5e3 }}', [lit(-1500)], true],
    ['{{ true }}{{ false }}{{ null }}', [lit(true), lit(false), lit(null)], false],
    ['{{ uuid() }}', [call('uuid')], true],
    ['{{ default(x, "n/a") }}', [call('default', ref('x'), lit('n/a'))], true],
    ['{{ concat() }}', [call('concat')], true],
    ['{{ concat(a, "-", b, 1) }}', [call('concat', ref('a'), lit('-'), ref('b'), lit(1))], true],
    ['{{ upper(lower(x)) }}', [call('upper', call('lower', ref('x')))], true],
    ['{{ $v }}{{ _x1 }}', [ref('$v'), ref('_x1')], false],
    ['a }} b', ['a }} b'], false],
    ['a { b } c', ['a { b } c'], false],
    ['{{ a }}-{{ b }}', [ref('a'), '-', ref('b')], false],
  ])('%j', (source, parts, single) => {
    const t = compileTemplate(source);
    expect(t.source).toBe(source);
    expect(t.parts).toEqual(parts);
    expect(t.single).toBe(single);
  });

  it('\\{{ escapes a template opening', () => {
    expect(compileTemplate('a \\{{ b }} c').parts).toEqual(['a {{ b }} c']);
    expect(compileTemplate('\\{{ x }}{{ y }}').parts).toEqual(['{{ x }}', ref('y')]);
    expect(compileTemplate('\\\\{{ x }}').parts).toEqual(['\\{{ x }}']);
  });

  it('returns frozen plain data that survives structuredClone', () => {
    const t = compileTemplate('/a/{{ random.int(1, n) }}/{{ x.y[0] }}');
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.parts)).toBe(true);
    expect(Object.isFrozen(t.parts[1])).toBe(true);
    expect(structuredClone(t)).toEqual(t);
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });
});

describe('compileTemplate: errors', () => {
  it.each<[string, number, RegExp]>([
    ['{{', 0, /unclosed \{\{/],
    ['ab {{ x', 7, /unclosed \{\{: expected \}\}/],
    ['{{}}', 0, /empty template/],
    ['x{{   }}', 1, /empty template/],
    ['{{ a b }}', 5, /expected \}\} to close the template, found "b"/],
    ['{{ foo() }}', 3, /unknown function foo\(\)/],
    ['{{ randomint(1, 2) }}', 3, /did you mean random\.int\(\)\?/],
    ['{{ random.Int(1, 2) }}', 3, /did you mean random\.int\(\)\?/],
    ['{{ random.int(1) }}', 3, /random\.int\(\) takes 2 arguments, got 1/],
    ['{{ uuid(1) }}', 3, /uuid\(\) takes 0 arguments, got 1/],
    ['{{ random.string() }}', 3, /takes 1 to 2 arguments, got 0/],
    ['{{ random.pick() }}', 3, /takes at least 1 argument, got 0/],
    ['{{ "abc }}', 3, /unterminated string/],
    ["{{ 'abc }}", 3, /unterminated string/],
    ['{{ "a\\qb" }}', 5, /unknown escape \\q/],
    ['{{ "\\u12" }}', 4, /4 hex digits/],
    ['{{ a[ }}', 6, /expected an index/],
    ['{{ a[0 }}', 7, /expected \] after the index/],
    ['{{ a[x] }}', 5, /expected an index/],
    ['{{ a. }}', 6, /expected a name after "\."/],
    ['{{ a.1 }}', 5, /expected a name after "\."/],
    ['{{ 1. }}', 5, /digit after the decimal point/],
    ['{{ 1e }}', 5, /exponent/],
    ['{{ 12abc }}', 5, /after the number 12/],
    ['{{ 1e999 }}', 3, /too large/],
    ['{{ + }}', 3, /expected a value, a variable or a function call, found "\+"/],
    ['{{ a + b }}', 5, /expected \}\} to close/],
    ['{{ lower(x }}', 11, /expected , or \) in the arguments of lower\(\), found "\}\}"/],
    ['{{ lower(x,) }}', 11, /expected a value/],
    ['{{ a[0](1) }}', 7, /only a function name can be called/],
    ['{{ uuid().x }}', 9, /cannot be indexed/],
    ['{{ {x} }}', 3, /expected a value/],
  ])('%j fails at offset %d', (source, offset, message) => {
    try {
      compileTemplate(source);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateError);
      const e = err as TemplateError;
      expect(e.message).toMatch(message);
      expect(e.offset).toBe(offset);
      expect(e.source).toBe(source);
      expect(e.code).toBe(ERROR_CODES.TEMPLATE);
    }
  });

  it('bounds nesting depth instead of overflowing the stack', () => {
    const deep = `{{ ${'lower('.repeat(5000)}x${')'.repeat(5000)} }}`;
    expect(() => compileTemplate(deep)).toThrow(TemplateError);
    expect(() => compileTemplate(deep)).toThrow(/nested deeper/);
    const ok = `{{ ${'lower('.repeat(20)}x${')'.repeat(20)} }}`;
    expect(compileTemplate(ok).single).toBe(true);
  });

  it('rejects non-strings with a TemplateError', () => {
    expect(() => compileTemplate(42 as unknown as string)).toThrow(TemplateError);
  });
});

describe('compileTemplateValue', () => {
  it('compiles strings with templates, keeps other scalars as constants', () => {
    const tv = compileTemplateValue({ id: '{{ productId }}', qty: 1, ok: true, none: null, tags: ['a', 'b-{{ n }}'], s: 'plain' });
    expect(tv).toEqual({
      kind: 'object',
      entries: [
        ['id', { kind: 'tpl', template: { source: '{{ productId }}', parts: [ref('productId')], single: true } }],
        ['qty', { kind: 'const', value: 1 }],
        ['ok', { kind: 'const', value: true }],
        ['none', { kind: 'const', value: null }],
        [
          'tags',
          {
            kind: 'array',
            items: [
              { kind: 'const', value: 'a' },
              { kind: 'tpl', template: { source: 'b-{{ n }}', parts: ['b-', ref('n')], single: false } },
            ],
          },
        ],
        ['s', { kind: 'const', value: 'plain' }],
      ],
    });
    expect(Object.isFrozen(tv)).toBe(true);
  });

  it('turns a string with only escapes into a constant without the backslash', () => {
    expect(compileTemplateValue('a \\{{ b }}')).toEqual({ kind: 'const', value: 'a {{ b }}' });
  });

  it('keeps a __proto__ key as data', () => {
    const input = JSON.parse('{"__proto__": "{{ x }}"}') as unknown;
    const tv = compileTemplateValue(input);
    expect(tv.kind).toBe('object');
    if (tv.kind === 'object') expect(tv.entries[0]?.[0]).toBe('__proto__');
  });

  it('reports the key path and the offset of a failing string', () => {
    try {
      compileTemplateValue({ user: { tags: ['ok', 'x {{ nope( }}'] } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateError);
      const e = err as TemplateError;
      expect(e.path).toEqual(['user', 'tags', 1]);
      expect(e.offset).toBe(5);
      expect(e.source).toBe('x {{ nope( }}');
    }
  });

  it.each([[undefined], [() => 1], [Symbol('s')], [Number.POSITIVE_INFINITY], [10n]])('rejects %s', (v) => {
    expect(() => compileTemplateValue({ a: [v] })).toThrow(TemplateError);
  });

  it('rejects cycles and absurd nesting', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => compileTemplateValue(cyclic)).toThrow(/nested deeper/);
  });
});

describe('templateRefs, isTemplate, KNOWN_FUNCTIONS', () => {
  it('collects root names from parts and call arguments, not function names', () => {
    const t = compileTemplate('/{{ users.email }}/{{ random.int(1, maxId) }}/{{ default(jobId, fallback.x) }}/{{ "lit" }}');
    expect(templateRefs(t)).toEqual(new Set(['users', 'maxId', 'jobId', 'fallback']));
  });

  it('walks structured values', () => {
    const tv = compileTemplateValue({ a: ['{{ x }}', { b: '{{ y[0] }}' }], c: 1, d: 'plain' });
    expect(templateRefs(tv)).toEqual(new Set(['x', 'y']));
    expect(templateRefs(compileTemplateValue('no refs'))).toEqual(new Set());
  });

  it.each([
    ['{{ x }}', true],
    ['a {{ b', true],
    ['\\{{ x }}', true],
    ['plain', false],
    ['{ x }', false],
    ['}}', false],
  ])('isTemplate(%j) is %s', (s, expected) => {
    expect(isTemplate(s)).toBe(expected);
  });

  it('lists every documented built-in', () => {
    for (const fn of [
      'random.int', 'random.float', 'random.string', 'random.uuid', 'uuid', 'random.pick', 'random.bool',
      'now', 'isoNow', 'timestamp', 'base64', 'base64decode', 'urlencode', 'lower', 'upper', 'json',
      'length', 'default', 'concat', 'regexEscape',
    ]) {
      expect(KNOWN_FUNCTIONS.has(fn)).toBe(true);
    }
    expect(KNOWN_FUNCTIONS.size).toBe(20);
  });
});

describe('literal arguments are checked at compile time', () => {
  it.each<[string, RegExp]>([
    ['{{ random.int(5, 1) }}', /random\.int: min \(5\) is greater than max \(1\)/],
    ['{{ random.int("a", 2) }}', /min must be a number, got "a"/],
    ['{{ random.string(-1) }}', /whole number/],
    ['{{ random.string(2, "") }}', /alphabet is empty/],
    ['{{ random.bool(1.5) }}', /between 0 and 1/],
    ['{{ random.pick("only") }}', /expected a list or several values/],
    ['{{ length(3) }}', /expected a string, a list or an object, got 3/],
  ])('%j', (source, message) => {
    try {
      compileTemplate(source);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).message).toMatch(message);
      expect((err as TemplateError).offset).toBe(3);
    }
  });

  it('leaves non-literal arguments to run time', () => {
    expect(() => compileTemplate('{{ random.int(5, max) }}')).not.toThrow();
    expect(() => compileTemplate('{{ length(x) }}')).not.toThrow();
    expect(() => compileTemplate('{{ random.int(1, 5) }}{{ random.string(3, "ab") }}{{ length("abc") }}')).not.toThrow();
  });
});
