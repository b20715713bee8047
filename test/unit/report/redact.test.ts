import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from '../../../src/report/redact.js';

describe('redactor', () => {
  const r = createRedactor(['s3cr3t-token', 'hunter2', '']);

  it('replaces secret values in text and sensitive header lines', () => {
    expect(r.text('GET /x?key=s3cr3t-token and hunter2')).toBe(`GET /x?key=${REDACTED} and ${REDACTED}`);
    expect(r.text('Authorization: Bearer abc\nX-Api-Key: k1\naccept: json')).toBe(`Authorization: ${REDACTED}\nX-Api-Key: ${REDACTED}\naccept: json`);
    expect(r.text('nothing here')).toBe('nothing here');
  });

  it('deep-copies values, masking sensitive header keys and secrets in every string', () => {
    const input = { headers: { Authorization: 'Bearer zzz', cookie: 'a=b', 'set-cookie': ['x=1', 'y=2'], accept: 'json' }, nested: [{ msg: 'token=s3cr3t-token' }], n: 3 };
    const out = r.value(input);
    expect(out).toEqual({
      headers: { Authorization: REDACTED, cookie: REDACTED, 'set-cookie': [REDACTED, REDACTED], accept: 'json' },
      nested: [{ msg: `token=${REDACTED}` }],
      n: 3,
    });
    expect(input.headers.Authorization).toBe('Bearer zzz');
  });

  it('redacts the longest secret first so overlapping ones leave nothing behind', () => {
    const o = createRedactor(['abc', 'abcdef']);
    expect(o.text('xabcdefx')).toBe(`x${REDACTED}x`);
  });
});
