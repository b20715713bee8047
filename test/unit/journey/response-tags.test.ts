import { describe, expect, it } from 'vitest';
import { MAX_RESPONSE_TAG_VALUES, OTHER_TAG_VALUE, ResponseTagValues, responseTags } from '../../../src/journey/response-tags.js';

const headers = (h: Record<string, string | string[]>) => (name: string) => h[name];

describe('response tags', () => {
  it('takes each tag from its header, trimmed, in the step order', () => {
    const values = new ResponseTagValues();
    const specs = [
      { tag: 'cache', header: 'x-cache' },
      { tag: 'circuit', header: 'x-circuit' },
    ];
    expect(responseTags(specs, headers({ 'x-cache': ' HIT ', 'x-circuit': 'open' }), values)).toEqual([
      ['cache', 'HIT'],
      ['circuit', 'open'],
    ]);
  });

  it('leaves a tag off when the header is missing or empty', () => {
    const values = new ResponseTagValues();
    expect(responseTags([{ tag: 'cache', header: 'x-cache' }], headers({ 'x-cache': '  ' }), values)).toBeUndefined();
    expect(responseTags([{ tag: 'cache', header: 'x-cache' }, { tag: 'via', header: 'via' }], headers({ via: 'edge' }), values)).toEqual([['via', 'edge']]);
    expect(responseTags([], headers({ 'x-cache': 'HIT' }), values)).toBeUndefined();
    expect(responseTags(undefined, headers({ 'x-cache': 'HIT' }), values)).toBeUndefined();
  });

  it('joins a repeated header like the matchers do', () => {
    expect(responseTags([{ tag: 'via', header: 'via' }], headers({ via: ['a', 'b'] }), new ResponseTagValues())).toEqual([['via', 'a, b']]);
  });

  it('keeps at most MAX_RESPONSE_TAG_VALUES distinct values per tag; later new ones read `other`', () => {
    const values = new ResponseTagValues();
    const seen = new Set<string>();
    for (let i = 0; i < MAX_RESPONSE_TAG_VALUES + 10; i++) seen.add(values.admit('id', `v${i}`));
    expect(seen.size).toBe(MAX_RESPONSE_TAG_VALUES + 1);
    expect(seen.has(OTHER_TAG_VALUE)).toBe(true);
    expect(values.admit('id', 'v0')).toBe('v0'); // a value admitted earlier stays itself
    expect(values.admit('id', 'v29')).toBe(OTHER_TAG_VALUE);
    expect(values.admit('other-tag', 'v29')).toBe('v29'); // the cap is per tag
  });

  it('records a very long value (an id, a token) as `other`', () => {
    const values = new ResponseTagValues();
    expect(values.admit('t', 'x'.repeat(65))).toBe(OTHER_TAG_VALUE);
    expect(values.admit('t', 'x'.repeat(64))).toBe('x'.repeat(64));
  });
});
