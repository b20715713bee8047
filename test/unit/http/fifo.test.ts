/** The queue of the HTTP pool and the in-flight limit (src/http/fifo.ts). */
import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../src/http/fifo.js';

describe('Fifo', () => {
  it('gives entries back oldest first, across its compactions, and nothing once empty', () => {
    const q = new Fifo<number>();
    let next = 0;
    let expected = 0;
    // Push 3, take 2, many times: the head passes 1,024 while entries remain, so the array is compacted.
    for (let round = 0; round < 2_000; round++) {
      for (let i = 0; i < 3; i++) q.push(next++);
      for (let i = 0; i < 2; i++) expect(q.shift()).toBe(expected++);
    }
    expect(q.length).toBe(2_000);
    while (q.length > 0) expect(q.shift()).toBe(expected++);
    expect(expected).toBe(next);
    expect(q.shift()).toBeUndefined();
  });

  it('takes every entry out at once, oldest first', () => {
    const q = new Fifo<string>();
    for (const s of ['a', 'b', 'c', 'd']) q.push(s);
    q.shift();
    expect(q.takeAll()).toEqual(['b', 'c', 'd']);
    expect(q.length).toBe(0);
    q.push('e');
    expect(q.shift()).toBe('e');
  });
});
