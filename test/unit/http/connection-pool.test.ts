import { EventEmitter } from 'node:events';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { ConnectionPool, type PoolClient } from '../../../src/http/connection-pool.js';
import { CONNECTION_CLOSES_PER_TURN } from '../../../src/http/turn-budget.js';

/** A connection that holds the requests it is given until `finish()`, like a Client with pipelining `depth`. */
class FakeClient extends EventEmitter implements PoolClient {
  readonly running: string[] = [];
  readonly sent: string[] = [];
  closed = false;
  destroyedWith: Error | null | undefined = undefined;
  constructor(
    readonly id: number,
    private readonly depth = 1,
  ) {
    super();
  }
  dispatch(opts: Dispatcher.DispatchOptions): boolean {
    this.running.push(opts.path);
    this.sent.push(opts.path);
    return this.running.length < this.depth;
  }
  /** The oldest running request is answered; a client that was full says it is free again. */
  finish(): void {
    const wasFull = this.running.length >= this.depth;
    this.running.shift();
    if (wasFull) this.emit('drain');
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  async destroy(err: Error | null): Promise<void> {
    this.destroyedWith = err;
  }
}

function pool(max: number, depth = 1): { pool: ConnectionPool; clients: FakeClient[] } {
  const clients: FakeClient[] = [];
  return {
    clients,
    pool: new ConnectionPool(max, () => {
      const c = new FakeClient(clients.length, depth);
      clients.push(c);
      return c;
    }),
  };
}

const req = (path: string): Dispatcher.DispatchOptions => ({ path, method: 'GET' });
/** One turn of the event loop (the pool opens connections for waiting requests a turn later). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
function handler(errors: Error[] = []): Dispatcher.DispatchHandler {
  return { onError: (e: Error) => errors.push(e) } as unknown as Dispatcher.DispatchHandler;
}

describe('ConnectionPool', () => {
  it('opens a connection only when every open one is busy: one request at a time uses one', () => {
    const { pool: p, clients } = pool(100);
    for (let i = 0; i < 5; i++) {
      p.dispatch(req(`/${i}`), handler());
      clients[0]?.finish();
    }
    expect(clients).toHaveLength(1);
    expect(clients[0]?.sent).toEqual(['/0', '/1', '/2', '/3', '/4']);
  });

  it('opens at most max connections, a turn after requests found none free, and sends the waiting requests in arrival order as they free up', async () => {
    const { pool: p, clients } = pool(2);
    for (let i = 0; i < 6; i++) expect(p.dispatch(req(`/${i}`), handler())).toBe(i < 1);
    expect(clients).toHaveLength(1);
    await turn();
    expect(clients).toHaveLength(2);
    expect(p.queued).toBe(4);
    clients[1]?.finish();
    clients[0]?.finish();
    clients[0]?.finish();
    clients[1]?.finish();
    expect(p.queued).toBe(0);
    expect(clients[1]?.sent).toEqual(['/1', '/2', '/5']);
    expect(clients[0]?.sent).toEqual(['/0', '/3', '/4']);
    expect(clients).toHaveLength(2);
  });

  it('keeps giving requests to a connection that takes several at once', async () => {
    const { pool: p, clients } = pool(4, 3);
    for (let i = 0; i < 3; i++) p.dispatch(req(`/${i}`), handler());
    expect(clients).toHaveLength(1);
    p.dispatch(req('/3'), handler());
    await turn();
    expect(clients).toHaveLength(2);
    expect(clients[1]?.sent).toEqual(['/3']);
  });

  it('a request sent while the only connection has just answered waits the turn it takes to free up, and opens none', async () => {
    // Like undici with pipelining 1: an answered connection says it is free only a turn later.
    const { pool: p, clients } = pool(10);
    p.dispatch(req('/first'), handler());
    clients[0]?.running.shift();
    setImmediate(() => clients[0]?.emit('drain'));
    expect(p.dispatch(req('/next'), handler())).toBe(false);
    await turn();
    await turn();
    expect(clients).toHaveLength(1);
    expect(clients[0]?.sent).toEqual(['/first', '/next']);
    expect(p.queued).toBe(0);
  });

  it('a connection that cannot be opened a turn later fails the requests that waited for it, with its error', async () => {
    let opened = 0;
    const p = new ConnectionPool(4, () => {
      if (opened++ > 0) throw new Error('no more sockets');
      return new FakeClient(0);
    });
    const errors: Error[] = [];
    p.dispatch(req('/first'), handler(errors));
    p.dispatch(req('/second'), handler(errors));
    p.dispatch(req('/third'), handler(errors));
    await turn();
    expect(errors.map((e) => e.message)).toEqual(['no more sockets', 'no more sockets']);
    expect(p.queued).toBe(0);
  });

  it('opens, a turn later, as many connections as requests still wait, up to max', async () => {
    const { pool: p, clients } = pool(5);
    for (let i = 0; i < 8; i++) p.dispatch(req(`/${i}`), handler());
    expect(clients).toHaveLength(1);
    await turn();
    expect(clients).toHaveLength(5);
    expect(clients.map((c) => c.sent)).toEqual([['/0'], ['/1'], ['/2'], ['/3'], ['/4']]);
    expect(p.queued).toBe(3);
    await turn();
    expect(clients).toHaveLength(5);
  });

  it('drains a long queue through one connection in order', () => {
    const { pool: p, clients } = pool(1);
    const n = 5_000;
    for (let i = 0; i < n; i++) p.dispatch(req(`/${i}`), handler());
    for (let i = 0; i < n; i++) clients[0]?.finish();
    expect(p.queued).toBe(0);
    expect(clients[0]?.sent).toEqual(Array.from({ length: n }, (_, i) => `/${i}`));
  });

  it('close() waits for the queued requests, then closes every connection; later requests fail', async () => {
    const { pool: p, clients } = pool(1);
    p.dispatch(req('/a'), handler());
    p.dispatch(req('/b'), handler());
    let closed = false;
    const closing = p.close().then(() => (closed = true));
    await Promise.resolve();
    expect(closed).toBe(false);
    clients[0]?.finish();
    await closing;
    expect(clients[0]?.sent).toEqual(['/a', '/b']);
    expect(clients[0]?.closed).toBe(true);
    const errors: Error[] = [];
    expect(p.dispatch(req('/late'), handler(errors))).toBe(false);
    expect(errors[0]?.message).toMatch(/closed/);
    expect(clients[0]?.sent).not.toContain('/late');
  });

  it('close() closes its connections a turn\'s budget at a time, never all in one turn of the event loop', async () => {
    const n = CONNECTION_CLOSES_PER_TURN * 3 + 1;
    const { pool: p, clients } = pool(n);
    for (let i = 0; i < n; i++) p.dispatch(req(`/${i}`), handler());
    await turn();
    for (const c of clients) c.finish();
    expect(clients).toHaveLength(n);
    // The process-wide budget may still have a turn pending from an earlier test: let it go idle.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    // Counted at the start of each check phase, before the budget's own turn (scheduled after this).
    const closedPerTurn: number[] = [];
    let before = 0;
    const counted = new Promise<void>((resolve) => {
      const count = (): void => {
        const now = clients.filter((c) => c.closed).length;
        closedPerTurn.push(now - before);
        before = now;
        if (now < n) setImmediate(count);
        else resolve();
      };
      setImmediate(count);
    });
    await p.close();
    await counted;
    expect(closedPerTurn.reduce((a, b) => a + b, 0)).toBe(n);
    expect(Math.max(...closedPerTurn)).toBeLessThanOrEqual(CONNECTION_CLOSES_PER_TURN);
    expect(closedPerTurn.filter((k) => k > 0).length).toBeGreaterThanOrEqual(4);
  });

  it('destroy() fails the queued requests with its error and destroys the connections with it', async () => {
    const { pool: p, clients } = pool(1);
    const errors: Error[] = [];
    p.dispatch(req('/running'), handler(errors));
    p.dispatch(req('/waiting'), handler(errors));
    const reason = new Error('grace over');
    const closing = p.close();
    await p.destroy(reason);
    await closing;
    expect(errors).toEqual([reason]);
    expect(clients[0]?.destroyedWith).toBe(reason);
    clients[0]?.finish();
    expect(clients[0]?.sent).toEqual(['/running']);
  });
});
