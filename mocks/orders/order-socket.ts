/**
 * `GET /orders/ws` (WebSocket): order status pushed as it changes.
 *
 * A client subscribes to a job, by sending `{"subscribe":"<jobId>"}` or by connecting to
 * `/orders/ws?jobId=<jobId>`; it gets the job's current status at once, then each change
 * (`processing`, `done`, `failed`) as `{"jobId":"…","status":"…"}` (an unknown job:
 * `{"jobId":"…","error":"no order …"}`). `{"unsubscribe":"<jobId>"}` stops the pushes.
 *
 * Stateless like the rest of the mocks: the worker that moves a job publishes the change on the
 * store's Redis channel (status-store.ts), and every instance subscribes to it with one Redis
 * connection of its own and fans the events out to its sockets. Statuses never go backwards on a
 * socket (a stale read racing an event is dropped). When the subscription (re)starts, every
 * watched job is read again, so a change published while it was down is not lost.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { closeAll, onText, sendText, type WsPeer } from '../common/websocket.js';
import type { OrdersLog } from './kafka-client.js';
import type { StatusStore } from './status-store.js';

/** The path of the endpoint. */
export const ORDER_SOCKET_PATH = '/orders/ws';

const RANK: Readonly<Record<string, number>> = { queued: 0, processing: 1, done: 2, failed: 2 };

/** One instance's sockets and its Redis subscription. */
export class OrderSocket {
  /** jobId → the sockets watching it, with the rank of the last status each was sent. */
  private readonly watchers = new Map<string, Map<WsPeer, number>>();
  private readonly peers = new Set<WsPeer>();
  private sub: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly store: StatusStore,
    private readonly log: OrdersLog,
  ) {}

  /**
   * Declares the WebSocket route on `app` (@fastify/websocket registered by the app). Injected
   * faults and rate limiting do not apply to the upgrade.
   */
  register(app: FastifyInstance): void {
    if (!app.hasDecorator('websocketServer')) throw new Error('the orders WebSocket needs registerWebSockets(app) (mocks/common/websocket.ts) before ordersPlugin');
    app.get(ORDER_SOCKET_PATH, { websocket: true, config: { faults: false, rateLimit: false } }, (peer: WsPeer, req: FastifyRequest) =>
      this.onOpen(peer, req),
    );
  }

  /** Closes every socket (1001, going away) and the subscription. */
  async close(): Promise<void> {
    const peers = [...this.peers];
    this.peers.clear();
    this.watchers.clear();
    const sub = this.sub;
    this.sub = undefined;
    await Promise.all([closeAll(peers), sub?.quit().catch(() => sub.disconnect(false))]);
  }

  /** Sockets open now. */
  get size(): number {
    return this.peers.size;
  }

  private onOpen(peer: WsPeer, req: FastifyRequest): void {
    onText(peer, (text) => this.onText(peer, text));
    peer.on('close', () => this.forget(peer));
    this.peers.add(peer);
    this.subscribeRedis();
    const jobId = new URL(req.url, 'http://localhost').searchParams.get('jobId');
    if (jobId !== null && jobId !== '') this.watch(peer, jobId);
  }

  private onText(peer: WsPeer, text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = undefined;
    }
    const o = (msg !== null && typeof msg === 'object' ? msg : {}) as Record<string, unknown>;
    if (typeof o.subscribe === 'string' && o.subscribe !== '') this.watch(peer, o.subscribe);
    else if (typeof o.unsubscribe === 'string') this.watchers.get(o.unsubscribe)?.delete(peer);
    else sendText(peer, JSON.stringify({ error: 'expected {"subscribe":"<jobId>"} or {"unsubscribe":"<jobId>"}' }));
  }

  private watch(peer: WsPeer, jobId: string): void {
    let w = this.watchers.get(jobId);
    if (w === undefined) {
      w = new Map();
      this.watchers.set(jobId, w);
    }
    if (!w.has(peer)) w.set(peer, -1);
    this.readAndPush(jobId, peer);
  }

  /** Reads the job's status and sends it to `only` (or every watcher). */
  private readAndPush(jobId: string, only?: WsPeer): void {
    this.store.get(jobId).then(
      (rec) => {
        if (rec === undefined) {
          // Said once, to the socket that subscribed (not again on a re-read).
          if (only !== undefined) sendText(only, JSON.stringify({ jobId, error: `no order ${jobId}` }));
          return;
        }
        this.push(jobId, rec.status, only);
      },
      (err: unknown) => {
        this.log.warn({ jobId, err: (err as Error).message }, 'order socket: status store unavailable');
        if (only !== undefined) sendText(only, JSON.stringify({ jobId, error: 'the order status store (Redis) is unavailable' }));
      },
    );
  }

  private push(jobId: string, status: string, only?: WsPeer): void {
    const w = this.watchers.get(jobId);
    if (w === undefined) return;
    const rank = RANK[status] ?? 0;
    const text = JSON.stringify({ jobId, status });
    for (const [p, last] of w) {
      if ((only !== undefined && p !== only) || rank <= last) continue;
      w.set(p, rank);
      sendText(p, text);
    }
  }

  private forget(peer: WsPeer): void {
    this.peers.delete(peer);
    for (const [jobId, w] of this.watchers) {
      w.delete(peer);
      if (w.size === 0) this.watchers.delete(jobId);
    }
  }

  /** Starts the instance's subscription on the first socket. */
  private subscribeRedis(): void {
    if (this.sub !== undefined) return;
    const sub = this.redis.duplicate();
    this.sub = sub;
    const channel = this.store.eventsChannel;
    sub.on('error', () => {
      /* reconnects by itself; the next 'ready' subscribes again and re-reads the watched jobs */
    });
    sub.on('ready', () => {
      sub.subscribe(channel).then(
        () => {
          for (const jobId of this.watchers.keys()) this.readAndPush(jobId);
        },
        (err: unknown) => this.log.warn({ err: (err as Error).message }, 'order socket: cannot subscribe to status events'),
      );
    });
    sub.on('message', (_ch: string, message: string) => {
      try {
        const e = JSON.parse(message) as { jobId?: unknown; status?: unknown };
        if (typeof e.jobId === 'string' && typeof e.status === 'string') this.push(e.jobId, e.status);
      } catch {
        /* not ours */
      }
    });
    if (sub.status === 'wait') sub.connect().catch(() => {});
  }
}
