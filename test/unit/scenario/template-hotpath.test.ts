import { describe, expect, it, vi } from 'vitest';

// Wrap the parser so the test can count calls: compiling parses, rendering must not.
vi.mock('../../../src/scenario/template/parse.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../../src/scenario/template/parse.js')>();
  return { ...mod, parseTemplate: vi.fn(mod.parseTemplate) };
});

const { parseTemplate } = await import('../../../src/scenario/template/parse.js');
const { compileTemplate, compileTemplateValue, renderTemplate, renderValue } = await import('../../../src/scenario/template/index.js');

describe('rendering a compiled template does not parse', () => {
  it('parses once at compile time and never while rendering', () => {
    const spy = vi.mocked(parseTemplate);
    spy.mockClear();
    const t = compileTemplate('/products/{{ random.int(1, 500) }}?user={{ users.email }}');
    expect(t.parts).toHaveLength(4);
    expect(spy).toHaveBeenCalledTimes(1);
    const body = compileTemplateValue({ id: '{{ id }}', note: 'n-{{ id }}' });
    expect(spy).toHaveBeenCalledTimes(3);

    const scope = { lookup: (r: string) => (r === 'users' ? { email: 'a@b' } : r === 'id' ? 5 : undefined), random: () => 0.5, now: () => 0 };
    for (let i = 0; i < 10_000; i++) {
      renderTemplate(t, scope);
      renderValue(body, scope);
    }
    expect(spy).toHaveBeenCalledTimes(3);
    expect(renderTemplate(t, scope)).toBe('/products/251?user=a@b');
  });

  it('a 3-part template renders without touching the parser', () => {
    const spy = vi.mocked(parseTemplate);
    const t = compileTemplate('a{{ x }}b');
    expect(t.parts).toHaveLength(3);
    spy.mockClear();
    const scope = { lookup: () => 'X', random: () => 0, now: () => 0 };
    for (let i = 0; i < 1000; i++) expect(renderTemplate(t, scope)).toBe('aXb');
    expect(spy).not.toHaveBeenCalled();
  });
});
