import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileTemplate, RenderError, renderTemplate, TemplateError, templateRefs } from '../../../src/scenario/template/index.js';

/** Characters that matter to the template grammar, mixed with anything. */
const grammarChars = fc.constantFrom('{', '}', '{{', '}}', '\\', '"', "'", '(', ')', '[', ']', '.', ',', '-', ' ', 'a', 'x', '1', 'e', 'random.int', 'uuid', 'lower', 'true', 'null', '\\u');
const nasty = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(grammarChars, { maxLength: 30 }).map((a) => a.join('')),
  fc.array(grammarChars, { maxLength: 20 }).map((a) => `{{ ${a.join('')} }}`),
);

const scope = { lookup: (r: string) => (r === 'a' || r === 'x' ? { x: [1, 'two'], a: 'A' } : undefined), random: () => 0.25, now: () => 0 };

describe('compileTemplate on random input', () => {
  it('either returns a template or throws TemplateError with an offset inside the source', () => {
    fc.assert(
      fc.property(nasty, (src) => {
        try {
          const t = compileTemplate(src);
          expect(t.source).toBe(src);
          try {
            expect(typeof renderTemplate(t, scope)).toBe('string');
          } catch (err) {
            expect(err).toBeInstanceOf(RenderError);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(TemplateError);
          const e = err as TemplateError;
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(src.length);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('text without {{ is its own template', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }).filter((s) => !s.includes('{{')), (s) => {
        const t = compileTemplate(s);
        expect(t.parts.join('')).toBe(s);
        expect(renderTemplate(t, scope)).toBe(s);
        expect(templateRefs(t).size).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('any string literal round-trips through a template', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        // A JSON string is a valid double-quoted template string.
        expect(renderTemplate(compileTemplate(`{{ ${JSON.stringify(s)} }}`), scope)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('escaped text renders back as written, minus the backslash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }).filter((s) => !s.includes('{{') && !s.includes('\\') && !s.endsWith('{')), (s) => {
        expect(renderTemplate(compileTemplate(`\\{{${s}}}`), scope)).toBe(`{{${s}}}`);
      }),
      { numRuns: 1000 },
    );
  });
});
