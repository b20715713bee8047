import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileJsonPath, JsonPathError, queryJsonPath, queryJsonPathAll } from '../../../src/scenario/jsonpath.js';

const doc = {
  id: 7,
  items: [
    { id: 'a', tags: ['x'] },
    { id: 'b', tags: [] },
    { id: 'c', tags: ['y', 'z'] },
  ],
  'a key': { 'dotted.name': true, nothing: null },
  nested: { deep: { deeper: [0, [1, 2]] } },
  '*': 'star',
  empty: [],
};

describe('compileJsonPath', () => {
  it.each<[string, (string | number)[]]>([
    ['$', []],
    ['$.id', ['id']],
    ['$.items[0].id', ['items', 0, 'id']],
    ['$.items[-1]', ['items', -1]],
    ['$.items[*].id', ['items', '*', 'id']],
    ['$.items.*.id', ['items', '*', 'id']],
    ["$['a key']['dotted.name']", ['a key', 'dotted.name']],
    ['$["a \\"q\\" \\\\ k"]', ['a "q" \\ k']],
    ['$[ 0 ]', [0]],
    ['$.user-id', ['user-id']],
    ['$.__proto__', ['__proto__']],
    ['$[-0]', [0]],
  ])('%s → %j', (src, segments) => {
    const p = compileJsonPath(src);
    expect(p.segments).toEqual(segments);
    expect(p.source).toBe(src);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it.each<[string, number, RegExp]>([
    ['', 0, /starts with \$/],
    ['id', 0, /did you mean "\$\.id"\?/],
    ['.id', 0, /did you mean "\$\.id"\?/],
    ['$.', 2, /expected a key after "\."/],
    ['$..id', 2, /recursive descent/],
    ['$id', 1, /expected \. or \[/],
    ['$.a b', 3, /expected \. or \[/],
    ['$[', 2, /expected an index, \* or a quoted key/],
    ['$[a]', 2, /expected an index/],
    ['$[0', 3, /expected \]/],
    ['$[-]', 3, /expected digits/],
    ["$['a", 2, /unterminated quoted key/],
    ["$['a\\n']", 4, /escapes/],
    ['$[1.5]', 3, /expected \]/],
    ['$.a]', 3, /expected \. or \[/],
    ['$[99999999999999999999]', 2, /too large/],
  ])('%j fails at offset %d', (src, offset, message) => {
    try {
      compileJsonPath(src);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(JsonPathError);
      expect((err as JsonPathError).offset).toBe(offset);
      expect((err as JsonPathError).message).toMatch(message);
    }
  });
});

describe('queryJsonPath / queryJsonPathAll', () => {
  it.each<[string, unknown, unknown[]]>([
    ['$', doc, [doc]],
    ['$.id', 7, [7]],
    ['$.items[1].id', 'b', ['b']],
    ['$.items[-1].id', 'c', ['c']],
    ['$.items[-3].id', 'a', ['a']],
    ['$.items[-4].id', undefined, []],
    ['$.items[3]', undefined, []],
    ['$.items[*].id', 'a', ['a', 'b', 'c']],
    ['$.items[*].tags[*]', 'x', ['x', 'y', 'z']],
    ['$.items[*].tags[1]', 'z', ['z']],
    ["$['a key']['dotted.name']", true, [true]],
    ["$['a key'].nothing", null, [null]],
    ["$['a key'].*", true, [true, null]],
    ['$.nested.deep.deeper[1][0]', 1, [1]],
    ['$.empty[*]', undefined, []],
    ['$.missing.x', undefined, []],
    ['$.id.x', undefined, []],
    ['$.items.length', undefined, []],
    ['$.items.0', undefined, []],
    ['$.id[0]', undefined, []],
    ['$.constructor', undefined, []],
    ['$.__proto__', undefined, []],
    ['$.items[0].toString', undefined, []],
  ])('%s', (src, first, all) => {
    const p = compileJsonPath(src);
    expect(queryJsonPath(p, doc)).toEqual(first);
    expect(queryJsonPathAll(p, doc)).toEqual(all);
  });

  it('reads a key literally named __proto__ when the document has one', () => {
    const evil = JSON.parse('{"__proto__": {"admin": true}}') as unknown;
    expect(queryJsonPath(compileJsonPath('$.__proto__.admin'), evil)).toBe(true);
  });

  it('wildcards visit object values and skip primitives', () => {
    expect(queryJsonPathAll(compileJsonPath('$.*'), { a: 1, b: [2] })).toEqual([1, [2]]);
    expect(queryJsonPathAll(compileJsonPath('$.*'), 'text')).toEqual([]);
    expect(queryJsonPath(compileJsonPath('$[*].id'), [{}, { id: 2 }, { id: 3 }])).toBe(2);
  });

  it('queries a plain-data copy of the compiled path (structuredClone)', () => {
    const p = structuredClone(compileJsonPath('$.items[-1].tags[0]'));
    expect(queryJsonPath(p, doc)).toBe('y');
  });
});

describe('properties', () => {
  const chars = fc.constantFrom('$', '.', '[', ']', '*', "'", '"', '\\', '-', '0', '1', 'a', ' ', 'id');
  it('random input either compiles or throws JsonPathError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.array(chars, { maxLength: 25 }).map((a) => a.join('')), fc.array(chars, { maxLength: 25 }).map((a) => `$${a.join('')}`)), (src) => {
        try {
          const p = compileJsonPath(src);
          queryJsonPathAll(p, doc);
          queryJsonPath(p, doc);
        } catch (err) {
          expect(err).toBeInstanceOf(JsonPathError);
          expect((err as JsonPathError).offset).toBeLessThanOrEqual(src.length);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('a quoted key path reaches any key of any object', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.jsonValue(), (key, value) => {
        const quoted = `['${key.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}']`;
        const p = compileJsonPath(`$${quoted}`);
        const obj: Record<string, unknown> = {};
        Object.defineProperty(obj, key, { value, enumerable: true });
        expect(queryJsonPath(p, obj)).toEqual(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('the first match is the head of all matches', () => {
    const segment = fc.oneof(fc.constantFrom('.items', '[*]', '.*', '[0]', '[-1]', '.id', '.tags', "['a key']"));
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), (segs) => {
        const p = compileJsonPath(`$${segs.join('')}`);
        const all = queryJsonPathAll(p, doc);
        expect(queryJsonPath(p, doc)).toEqual(all.find((v) => v !== undefined));
      }),
      { numRuns: 2000 },
    );
  });
});
