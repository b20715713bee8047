import { describe, expect, it } from 'vitest';
import {
  compileTemplate,
  compileTemplateValue,
  evalExpr,
  RenderError,
  renderTemplate,
  renderValue,
} from '../../../src/scenario/template/index.js';
import type { Scope } from '../../../src/scenario/template/index.js';

/** mulberry32: a small deterministic generator, so every random built-in repeats. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function scope(vars: Record<string, unknown>, seed = 42): Scope {
  const random = seeded(seed);
  return { lookup: (root) => (Object.hasOwn(vars, root) ? vars[root] : undefined), random, now: () => NOW };
}

const vars = {
  productId: 17,
  users: { email: 'Ann@Example.com', 'first name': 'Ann' },
  items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
  vu: { id: 3, iteration: 9 },
  flag: false,
  nothing: null,
  methods: ['GET', 'POST'],
  evil: JSON.parse('{"__proto__": {"polluted": 1}}') as unknown,
};

const render = (src: string, s: Scope = scope(vars)): string => renderTemplate(compileTemplate(src), s);

describe('renderTemplate', () => {
  it.each([
    ['plain', 'plain'],
    ['/products/{{ productId }}', '/products/17'],
    ['{{ users.email }}', 'Ann@Example.com'],
    ['{{ users["first name"] }}', 'Ann'],
    ['{{ items[1].id }}/{{ items[-1].id }}', 'b/c'],
    ['vu {{ vu.id }} it {{ vu.iteration }}', 'vu 3 it 9'],
    ['{{ flag }}', 'false'],
    ['[{{ nothing }}]', '[]'],
    ['{{ items[0] }}', '{"id":"a"}'],
    ['{{ methods }}', '["GET","POST"]'],
    ['{{ "lit" }}-{{ 2.5 }}-{{ true }}', 'lit-2.5-true'],
    ['{{ lower(users.email) }} {{ upper("x") }}', 'ann@example.com X'],
    ['{{ urlencode("a b&c/é") }}', 'a%20b%26c%2F%C3%A9'],
    ['^{{ regexEscape("a.b*(c)[d]{2}|e$/f\\\\g-h") }}$', '^a\\.b\\*\\(c\\)\\[d\\]\\{2\\}\\|e\\$\\/f\\\\g-h$'],
    ['{{ base64("user:pass") }}', 'dXNlcjpwYXNz'],
    ['{{ base64decode("dXNlcjpwYXNz") }}', 'user:pass'],
    ['{{ base64decode(base64("héllo ✓")) }}', 'héllo ✓'],
    ['{{ json(users) }}', '{"email":"Ann@Example.com","first name":"Ann"}'],
    ['{{ json("a\\"b") }}', '"a\\"b"'],
    ['{{ length(items) }} {{ length("abc") }} {{ length(users) }}', '3 3 2'],
    ['{{ default(missing, "n/a") }}', 'n/a'],
    ['{{ default(nothing, 5) }}', '5'],
    ['{{ default(productId, nope) }}', '17'],
    ['{{ default(users.phone, users.email) }}', 'Ann@Example.com'],
    ['{{ concat("a", 1, true, nothing, items[0].id) }}', 'a1truea'],
    ['{{ concat() }}', ''],
    ['{{ now() }}', String(NOW)],
    ['{{ timestamp() }}', String(Math.floor(NOW / 1000))],
    ['{{ isoNow() }}', '2026-01-02T03:04:05.678Z'],
    ['{{ random.int(5, 5) }}', '5'],
  ])('%j → %j', (src, out) => {
    expect(render(src)).toBe(out);
  });

  it('is deterministic for a given seed and differs across seeds', () => {
    const t = compileTemplate('{{ random.int(1, 1000000) }}-{{ random.string(12) }}-{{ uuid() }}-{{ random.float(0, 1) }}');
    const a = renderTemplate(t, scope(vars, 7));
    expect(renderTemplate(t, scope(vars, 7))).toBe(a);
    expect(renderTemplate(t, scope(vars, 8))).not.toBe(a);
  });

  it('random.int stays within inclusive bounds and reaches both ends', () => {
    const t = compileTemplate('{{ random.int(1, 3) }}');
    const s = scope(vars, 1);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(renderTemplate(t, s));
    expect([...seen].sort()).toEqual(['1', '2', '3']);
  });

  it('random.int accepts numeric strings (captured header values)', () => {
    expect(render('{{ random.int("4", max) }}', scope({ max: '4' }))).toBe('4');
  });

  it('random.float stays in [min, max)', () => {
    const t = compileTemplate('{{ random.float(-2, 2) }}');
    const s = scope(vars, 3);
    for (let i = 0; i < 300; i++) {
      const v = Number(renderTemplate(t, s));
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThan(2);
    }
  });

  it('random.string draws from the alphanumerics or a given alphabet', () => {
    expect(render('{{ random.string(40) }}')).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(render('{{ random.string(30, "ab") }}')).toMatch(/^[ab]{30}$/);
    expect(render('{{ random.string(5, "✓") }}')).toBe('✓✓✓✓✓');
    expect(render('{{ random.string(0) }}')).toBe('');
  });

  it('uuid and random.uuid are RFC 4122 version 4', () => {
    const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const s = scope(vars, 5);
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const u = render('{{ uuid() }}', s);
      const r = render('{{ random.uuid() }}', s);
      expect(u).toMatch(re);
      expect(r).toMatch(re);
      seen.add(u).add(r);
    }
    expect(seen.size).toBe(200);
  });

  it('random.pick picks from a list or from its arguments', () => {
    const s = scope(vars, 9);
    const fromList = new Set<string>();
    const fromArgs = new Set<string>();
    for (let i = 0; i < 200; i++) {
      fromList.add(render('{{ random.pick(methods) }}', s));
      fromArgs.add(render('{{ random.pick("x", "y", "z") }}', s));
    }
    expect([...fromList].sort()).toEqual(['GET', 'POST']);
    expect([...fromArgs].sort()).toEqual(['x', 'y', 'z']);
  });

  it('random.bool honours its probability', () => {
    expect(render('{{ random.bool(0) }}')).toBe('false');
    expect(render('{{ random.bool(1) }}')).toBe('true');
    const s = scope(vars, 11);
    let trues = 0;
    for (let i = 0; i < 2000; i++) if (render('{{ random.bool(0.25) }}', s) === 'true') trues++;
    expect(trues).toBeGreaterThan(400);
    expect(trues).toBeLessThan(600);
  });

  it('reads own properties only: __proto__ and constructor are plain keys', () => {
    expect(render('{{ evil["__proto__"].polluted }}')).toBe('1');
    expect(() => render('{{ users.constructor }}')).toThrow(RenderError);
    expect(() => render('{{ users.toString }}')).toThrow(RenderError);
    expect(() => render('{{ items.length }}')).toThrow(RenderError);
  });
});

describe('render errors', () => {
  it.each([
    ['{{ missing }}', 'missing', /missing is not defined: no variable, capture or data feed is named missing/],
    ['a {{ users.phone }}', 'users.phone', /users\.phone is not defined: users has no key "phone"/],
    ['{{ users.email.x }}', 'users.email.x', /users\.email has no key "x"/],
    ['{{ items[5].id }}', 'items[5].id', /items has no item \[5\]/],
    ['{{ items[0].name }}', 'items[0].name', /items\[0\] has no key "name"/],
    ['{{ upper(missing) }}', 'missing', /missing is not defined/],
    ['{{ random.int(v.a, v.two) }}', 'random.int', /random\.int: min must be a number, got "a"/],
    ['{{ random.int(v.five, v.one) }}', 'random.int', /min \(5\) is greater than max \(1\)/],
    ['{{ random.float(v.five, v.one) }}', 'random.float', /greater than max/],
    ['{{ random.string(v.neg) }}', 'random.string', /whole number/],
    ['{{ random.string(v.half) }}', 'random.string', /whole number/],
    ['{{ random.string(v.huge) }}', 'random.string', /whole number/],
    ['{{ random.string(v.two, v.empty) }}', 'random.string', /alphabet is empty/],
    ['{{ random.pick(v.a) }}', 'random.pick', /expected a list or several values/],
    ['{{ random.pick(empty) }}', 'random.pick', /the list is empty/],
    ['{{ random.bool(v.two) }}', 'random.bool', /between 0 and 1/],
    ['{{ length(v.five) }}', 'length', /expected a string, a list or an object, got 5/],
    ['{{ urlencode(v.lone) }}', 'urlencode', /unpaired surrogate/],
  ])('%j throws naming %s', (src, refName, message) => {
    try {
      render(src, scope({ ...vars, empty: [], v: { a: 'a', one: 1, two: 2, five: 5, neg: -1, half: 1.5, huge: 99_999_999, empty: '', lone: '\ud800' } }));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RenderError);
      expect((err as RenderError).ref).toBe(refName);
      expect((err as RenderError).message).toMatch(message);
    }
  });

  it('default() evaluates its fallback lazily', () => {
    expect(render('{{ default(productId, missing) }}')).toBe('17');
    expect(() => render('{{ default(nothing, missing) }}')).toThrow(/missing is not defined/);
  });
});

describe('renderValue and evalExpr', () => {
  it('keeps the type of a single template and renders mixed strings as text', () => {
    const tv = compileTemplateValue({
      productId: '{{ productId }}',
      qty: 1,
      label: 'item-{{ productId }}',
      user: '{{ users }}',
      first: '{{ items[0] }}',
      flag: '{{ flag }}',
      none: '{{ nothing }}',
      list: ['{{ vu.id }}', 'x', null],
      esc: '\\{{ not a template }}',
      n: '{{ random.int(7, 7) }}',
    });
    expect(renderValue(tv, scope(vars))).toEqual({
      productId: 17,
      qty: 1,
      label: 'item-17',
      user: vars.users,
      first: { id: 'a' },
      flag: false,
      none: null,
      list: [3, 'x', null],
      esc: '{{ not a template }}',
      n: 7,
    });
  });

  it('builds objects whose __proto__ key is an own property, never a prototype', () => {
    const tv = compileTemplateValue(JSON.parse('{"__proto__": {"polluted": "{{ productId }}"}}'));
    const out = renderValue(tv, scope(vars)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":17}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('renders a fresh object each time (no shared mutable output)', () => {
    const tv = compileTemplateValue({ a: ['{{ productId }}'] });
    const s = scope(vars);
    const one = renderValue(tv, s);
    const two = renderValue(tv, s);
    expect(one).toEqual(two);
    expect(one).not.toBe(two);
  });

  it('evalExpr returns raw values', () => {
    const t = compileTemplate('{{ items }}');
    expect(evalExpr(t.parts[0] as never, scope(vars))).toBe(vars.items);
    expect(evalExpr({ kind: 'call', fn: 'length', args: [{ kind: 'lit', value: 'abcd' }] }, scope(vars))).toBe(4);
    expect(() => evalExpr({ kind: 'call', fn: 'nope', args: [] }, scope(vars))).toThrow(RenderError);
  });

  it('renders a template after a structuredClone round trip (plain data only)', () => {
    const t = structuredClone(compileTemplate('/p/{{ productId }}/{{ upper(users["first name"]) }}'));
    expect(renderTemplate(t, scope(vars))).toBe('/p/17/ANN');
  });
});
