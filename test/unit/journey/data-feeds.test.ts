import { describe, expect, it } from 'vitest';
import { createDataFeeds, DataExhaustedError } from '../../../src/journey/index.js';
import { uniqueFeedsOf } from '../../../src/journey/journey-feeds.js';
import type { DataFeed, Step } from '../../../src/scenario/plan.js';
import { journey, plan, POS, request } from '../../support/journey-plans.js';

const feed = (order: DataFeed['order'], onExhausted: DataFeed['onExhausted'] = 'stop', n = 3): DataFeed => ({
  name: 'users',
  columns: ['email', 'pw'],
  rows: Array.from({ length: n }, (_, i) => [`u${i}@x`, `p${i}`]),
  order,
  onExhausted,
});

describe('createDataFeeds', () => {
  it('turns rows into objects by column, and knows its feed names', () => {
    const f = createDataFeeds([feed('sequential')], { random: Math.random });
    expect(f.has('users')).toBe(true);
    expect(f.has('other')).toBe(false);
    expect(f.next('other')).toBeUndefined();
    expect({ ...f.next('users') }).toEqual({ email: 'u0@x', pw: 'p0' });
  });

  it('sequential: one shared cursor that wraps around', () => {
    const f = createDataFeeds([feed('sequential')], { random: Math.random });
    expect([1, 2, 3, 4].map(() => f.next('users')?.['email'])).toEqual(['u0@x', 'u1@x', 'u2@x', 'u0@x']);
  });

  it('random: picks with the given random source', () => {
    const values = [0, 0.99, 0.5];
    const f = createDataFeeds([feed('random')], { random: () => values.shift() ?? 0 });
    expect([1, 2, 3].map(() => f.next('users')?.['email'])).toEqual(['u0@x', 'u2@x', 'u1@x']);
  });

  it('unique + stop: each row once, then a typed signal and `exhausted`', () => {
    const f = createDataFeeds([feed('unique', 'stop', 2)], { random: Math.random });
    expect(f.next('users')?.['email']).toBe('u0@x');
    expect(f.next('users')?.['email']).toBe('u1@x');
    expect(f.exhausted).toBeUndefined();
    expect(() => f.next('users')).toThrow(DataExhaustedError);
    expect(f.exhausted).toBe('users');
  });

  it('unique + recycle: starts over', () => {
    const f = createDataFeeds([feed('unique', 'recycle', 2)], { random: Math.random });
    expect([1, 2, 3].map(() => f.next('users')?.['email'])).toEqual(['u0@x', 'u1@x', 'u0@x']);
    expect(f.exhausted).toBeUndefined();
  });

  it('partition: disjoint rows per worker, own cursors', () => {
    const f = createDataFeeds([feed('unique', 'stop', 5)], { random: Math.random });
    const a = f.partition(0, 2);
    const b = f.partition(1, 2);
    expect([1, 2, 3].map(() => a.next('users')?.['email'])).toEqual(['u0@x', 'u2@x', 'u4@x']);
    expect([1, 2].map(() => b.next('users')?.['email'])).toEqual(['u1@x', 'u3@x']);
    expect(() => b.next('users')).toThrow(DataExhaustedError);
    expect(f.exhausted).toBeUndefined();
    expect(() => f.partition(2, 2)).toThrow(RangeError);
  });
});

describe('partitions (property)', () => {
  it('unique rows: every row exactly once over all partitions', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 7 }), (rows, count) => {
        const f = createDataFeeds([feed('unique', 'stop', rows)], { random: Math.random });
        const seen: string[] = [];
        for (let i = 0; i < count; i++) {
          const part = f.partition(i, count);
          for (;;) {
            try {
              seen.push(part.next('users')?.['email'] ?? 'none');
            } catch (err) {
              expect(err).toBeInstanceOf(DataExhaustedError);
              break;
            }
          }
        }
        expect(seen.sort()).toEqual(Array.from({ length: rows }, (_, i) => `u${i}@x`).sort());
      }),
    );
  });
});

describe('uniqueFeedsOf', () => {
  const feeds: DataFeed[] = [
    { ...feed('unique'), name: 'users' },
    { ...feed('unique', 'recycle'), name: 'cards' },
    { ...feed('sequential'), name: 'products' },
    { ...feed('unique'), name: 'unused' },
  ];
  it('finds the unique feeds named anywhere in the steps, nested ones included; others are read lazily', () => {
    const nested: Step = { kind: 'group', name: 'g', steps: [request('POST', '/pay?card={{ cards.number }}', { name: 'pay' })], pos: POS };
    const j = journey('buy', [request('GET', '/home', { name: 'home' }), request('GET', '/p/{{ products.id }}?u={{ base64(users.email) }}', { name: 'p' }), nested]);
    expect(uniqueFeedsOf(plan('http://127.0.0.1:1', [j], { data: feeds }), j)).toEqual(['users', 'cards']);
  });
  it('a journey that names no unique feed takes no row', () => {
    const j = journey('browse', [request('GET', '/p/{{ products.id }}', { name: 'p' })]);
    expect(uniqueFeedsOf(plan('http://127.0.0.1:1', [j], { data: feeds }), j)).toEqual([]);
  });
});
