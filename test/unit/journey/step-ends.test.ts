import { describe, expect, it } from 'vitest';
import { StepEnds } from '../../../src/journey/step-ends.js';

describe('StepEnds: when each step of the iteration got its response', () => {
  it('answers the time recorded in this iteration, and nothing for a step that has not ended', () => {
    const ends = new StepEnds(new Map());
    expect(ends.get('login')).toBeUndefined();
    ends.set('login', 12.5);
    ends.set('cart', 40.25);
    expect(ends.get('login')).toBe(12.5);
    expect(ends.get('cart')).toBe(40.25);
    expect(ends.get('pay')).toBeUndefined();
    ends.set('login', 50);
    expect(ends.get('login')).toBe(50);
  });

  it('forgets every end when the next iteration begins', () => {
    const ends = new StepEnds(new Map());
    ends.set('send', 10);
    ends.begin();
    expect(ends.get('send')).toBeUndefined();
    ends.set('send', 20);
    expect(ends.get('send')).toBe(20);
  });

  it('VUs sharing the slots keep their own times, whatever order they meet the names in', () => {
    const slots = new Map<string, number>();
    const a = new StepEnds(slots);
    const b = new StepEnds(slots);
    a.set('first', 1);
    b.set('second', 2);
    b.set('first', 3);
    expect([a.get('first'), a.get('second'), b.get('first'), b.get('second')]).toEqual([1, undefined, 3, 2]);
  });

  it('holds more steps than it started with', () => {
    const ends = new StepEnds(new Map());
    const names = Array.from({ length: 40 }, (_, i) => `step-${i}`);
    names.forEach((n, i) => ends.set(n, i + 0.5));
    expect(names.map((n) => ends.get(n))).toEqual(names.map((_, i) => i + 0.5));
  });

  it('after 2³² iterations the stamps start over, and no step reads as ended that did not', () => {
    const slots = new Map<string, number>();
    const ends = new StepEnds(slots, 2 ** 32 - 2);
    const other = new StepEnds(slots);
    ends.set('old', 1);
    other.set('elsewhere', 5); // a slot this VU never wrote: its stamp is 0
    ends.begin(); // 2³² − 1
    ends.set('newer', 2);
    ends.begin(); // the stamps would wrap to 0, the stamp of every slot never written
    expect(ends.get('elsewhere')).toBeUndefined();
    expect(ends.get('old')).toBeUndefined();
    expect(ends.get('newer')).toBeUndefined();
    ends.set('now', 3);
    expect(ends.get('now')).toBe(3);
  });
});
