/**
 * The fan-out of one consumed topic to the steps waiting on it: each message goes to the oldest
 * waiting step whose match it satisfies (and to no other); a message no waiter takes is kept for
 * steps still to come, at most `capacity` of them — past that the oldest is dropped and counted.
 *
 * Waiters that match on one exact value (the message key, a header or a JSON path equal to a
 * rendered value) are indexed by it, so a message costs one lookup per indexed subject rather than
 * one match per waiter; other waiters are tried in order.
 */

/** A message as the channel holds it. */
export interface ChannelMessage {
  readonly key: string | undefined;
  /** When it arrived in this process (performance.now()). */
  readonly arrivedMs: number;
}

/** An exact value a waiter needs: `subject(message)` must equal `value`. */
export interface WaiterIndex<M> {
  /** Names the subject (`key`, `json $.id`, …); waiters with the same id share one extraction per message. */
  readonly id: string;
  readonly subject: (m: M) => unknown;
  readonly value: string;
}

interface Waiter<M> {
  readonly match: (m: M) => boolean;
  readonly index: WaiterIndex<M> | undefined;
  readonly resolve: (m: M | undefined) => void;
  done: boolean;
}

export class TopicChannel<M extends ChannelMessage> {
  private buffer: M[] = [];
  private head = 0;
  private readonly indexed = new Map<string, { subject: (m: M) => unknown; byValue: Map<string, Waiter<M>[]> }>();
  private readonly linear: Waiter<M>[] = [];
  /** Unmatched messages dropped because the buffer was full. */
  dropped = 0;
  /** Messages received. */
  received = 0;

  /** `onDrop`: called for each unmatched message dropped from a full buffer. */
  constructor(
    readonly capacity: number,
    private readonly onDrop: () => void = () => undefined,
  ) {}

  /** Waiting steps right now. */
  get waiting(): number {
    let n = this.linear.length;
    for (const s of this.indexed.values()) for (const l of s.byValue.values()) n += l.length;
    return n;
  }

  /** Unmatched messages held. */
  get buffered(): number {
    return this.buffer.length - this.head;
  }

  /** A message arrived: hand it to a waiter, or keep it. */
  push(m: M): void {
    this.received++;
    if (this.deliver(m)) return;
    if (this.capacity <= 0) {
      this.dropped++;
      this.onDrop();
      return;
    }
    this.buffer.push(m);
    if (this.buffer.length - this.head > this.capacity) {
      this.head++;
      this.dropped++;
      this.onDrop();
    }
    if (this.head > 1024 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Waits for a message matching `match` (a held one first, oldest first). Resolves undefined when
   * `cancel` is called (timeout, abort).
   */
  wait(match: (m: M) => boolean, index?: WaiterIndex<M>): { readonly message: Promise<M | undefined>; cancel(): void } {
    for (let i = this.head; i < this.buffer.length; i++) {
      const m = this.buffer[i] as M;
      if (match(m)) {
        this.buffer.splice(i, 1);
        return { message: Promise.resolve(m), cancel: () => undefined };
      }
    }
    let w: Waiter<M> | undefined;
    const message = new Promise<M | undefined>((resolve) => {
      w = { match, index, resolve, done: false };
    });
    const waiter = w as unknown as Waiter<M>;
    this.add(waiter);
    return {
      message,
      cancel: () => {
        if (waiter.done) return;
        waiter.done = true;
        this.remove(waiter);
        waiter.resolve(undefined);
      },
    };
  }

  private add(w: Waiter<M>): void {
    if (w.index === undefined) {
      this.linear.push(w);
      return;
    }
    let s = this.indexed.get(w.index.id);
    if (s === undefined) {
      s = { subject: w.index.subject, byValue: new Map() };
      this.indexed.set(w.index.id, s);
    }
    const list = s.byValue.get(w.index.value);
    if (list === undefined) s.byValue.set(w.index.value, [w]);
    else list.push(w);
  }

  private remove(w: Waiter<M>): void {
    if (w.index === undefined) {
      const i = this.linear.indexOf(w);
      if (i >= 0) this.linear.splice(i, 1);
      return;
    }
    const s = this.indexed.get(w.index.id);
    const list = s?.byValue.get(w.index.value);
    if (s === undefined || list === undefined) return;
    const i = list.indexOf(w);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) s.byValue.delete(w.index.value);
  }

  private deliver(m: M): boolean {
    let best: Waiter<M> | undefined;
    let bestSeq = Infinity;
    for (const s of this.indexed.values()) {
      const v = s.subject(m);
      if (v === undefined || v === null) continue;
      const list = s.byValue.get(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
      if (list === undefined) continue;
      for (let i = 0; i < list.length; i++) {
        const w = list[i] as Waiter<M>;
        if (i < bestSeq && w.match(m)) {
          best = w;
          bestSeq = i;
          break;
        }
      }
    }
    if (best === undefined) {
      for (const w of this.linear) {
        if (w.match(m)) {
          best = w;
          break;
        }
      }
    }
    if (best === undefined) return false;
    best.done = true;
    this.remove(best);
    best.resolve(m);
    return true;
  }
}
