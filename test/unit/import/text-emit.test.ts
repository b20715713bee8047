import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Notes, toYaml } from '../../../src/import/emit.js';
import { NameBook, duration, literal, plain } from '../../../src/import/text.js';

describe('import text helpers', () => {
  it.each([
    ['plain text', 'plain text'],
    ['Hi {{ name }}', 'Hi \\{{ name }}'],
    ['${HOME} and $${X}', '$${HOME} and $$${X}'],
    ['a}}b', 'a}}b'],
  ])('literal(%j) = %j', (input, out) => {
    expect(literal(input)).toBe(out);
  });

  it('plain escapes only environment syntax', () => {
    expect(plain('{{ a }} ${B}')).toBe('{{ a }} $${B}');
  });

  it.each([
    ['csrf_token', 'csrf_token'],
    ['x-api-key', 'xApiKey'],
    ['Location', 'location'],
    ['42id', 'id'],
    ['', 'value'],
    ['vu', 'vuValue'],
    ['item', 'itemValue'],
  ])('a name from %j is %j', (hint, name) => {
    expect(new NameBook().take(hint)).toBe(name);
  });

  it('names are handed out once', () => {
    const book = new NameBook(['token']);
    expect([book.take('token'), book.take('token'), book.take('id')]).toEqual(['token_2', 'token_3', 'id']);
  });

  it.each([
    [120, '120ms'],
    [999.6, '1000ms'],
    [1049, '1s'],
    [3149, '3.1s'],
    [30000, '30s'],
  ])('%d ms is %s', (ms, d) => {
    expect(duration(ms)).toBe(d);
  });
});

describe('toYaml', () => {
  it('places comments above list items and mapping keys, writes flow maps, and round-trips the data', () => {
    const notes = new Notes();
    const step = { get: '/a', capture: { t: notes.flow({ json: '$.t' }) } };
    notes.above(step, 'a step');
    notes.above(step, 'first', true);
    notes.aboveKey(step.capture, 't', 'found in JSON $.t');
    const doc = { name: 'x', steps: [step] };
    const text = toYaml(doc, notes, ['header'], ['trailer']);
    expect(text).toBe('# header\n\nname: x\nsteps:\n  # first\n  # a step\n  - get: /a\n    capture:\n      # found in JSON $.t\n      t: { json: $.t }\n\n# trailer\n');
    expect(parse(text)).toEqual(doc);
  });
});
