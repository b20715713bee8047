/** At most so many closes per turn of the event loop (src/http/turn-budget.ts), driven by a hand-run turn. */
import { describe, expect, it } from 'vitest';
import { TurnBudget } from '../../../src/http/turn-budget.js';

/** A budget whose turns the test runs: `next()` runs what was deferred to the next turn. */
function handTurns(perTurn: number): { budget: TurnBudget; next: () => void; pending: () => number } {
  let deferred: (() => void)[] = [];
  const budget = new TurnBudget(perTurn, (fn) => void deferred.push(fn));
  return {
    budget,
    pending: () => deferred.length,
    next: () => {
      const fns = deferred;
      deferred = [];
      for (const fn of fns) fn();
    },
  };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('TurnBudget', () => {
  it('gives this turn\'s room at once, without a promise, then lets the rest go a turn\'s worth at a time, in order', async () => {
    const { budget, next } = handTurns(3);
    const order: number[] = [];
    const taken = Array.from({ length: 8 }, (_, i) => {
      const t = budget.take();
      if (t === undefined) order.push(i);
      else void t.then(() => order.push(i));
      return t;
    });
    expect(taken.filter((t) => t === undefined)).toHaveLength(3);
    expect(budget.waiting).toBe(5);
    await flush();
    expect(order).toEqual([0, 1, 2]);
    next();
    await flush();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    next();
    await flush();
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(budget.waiting).toBe(0);
  });

  it('a newcomer never passes those already waiting, even in a turn with room left', async () => {
    const { budget, next } = handTurns(2);
    const order: string[] = [];
    for (const name of ['a', 'b', 'c']) void (budget.take() ?? Promise.resolve()).then(() => order.push(name));
    next(); // c goes; this turn has one unit left
    void (budget.take() ?? Promise.resolve()).then(() => order.push('d'));
    await flush();
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a new turn has its whole budget again, and an idle budget schedules nothing', () => {
    const { budget, next, pending } = handTurns(2);
    expect(budget.take()).toBeUndefined();
    expect(budget.take()).toBeUndefined();
    expect(budget.take()).toBeInstanceOf(Promise);
    next(); // releases the waiting one
    next(); // a turn that used nothing
    expect(pending()).toBe(0);
    expect(budget.take()).toBeUndefined();
    expect(budget.take()).toBeUndefined();
    expect(pending()).toBe(1);
  });

  it('on the real event loop, 100 takes at 10 per turn resolve over 10 turns', async () => {
    const budget = new TurnBudget(10);
    let turns = 0;
    let done = 0;
    const counting = setInterval(() => undefined, 1000);
    const tick = (): void => {
      turns++;
      if (done < 100) setImmediate(tick);
    };
    setImmediate(tick);
    await Promise.all(Array.from({ length: 100 }, async () => {
      await budget.take();
      done++;
    }));
    clearInterval(counting);
    expect(turns).toBeGreaterThanOrEqual(9);
    expect(budget.waiting).toBe(0);
  });

  it('refuses a budget of nothing', () => {
    expect(() => new TurnBudget(0)).toThrow(/at least one/);
  });
});
