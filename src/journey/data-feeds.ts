/**
 * Data feeds: the rows of the scenario's `data` section, handed out one row per journey iteration.
 * - sequential: one cursor shared by every VU of the process (or of a partition), wrapping around
 * - random: a uniform pick per iteration (rows repeat)
 * - unique: each row at most once; when every row was used, `onExhausted: stop` ends the run
 *   (next() throws DataExhaustedError and `exhausted` names the feed), `recycle` starts over
 */
import type { DataFeed } from '../scenario/plan.js';

/** A data row as templates see it: `{{ users.email }}` reads column `email`. */
export type DataRow = Readonly<Record<string, string>>;

/** The typed signal that a unique feed with `onExhausted: stop` ran out of rows. */
export class DataExhaustedError extends Error {
  readonly feed: string;
  constructor(feed: string) {
    super(`data feed ${feed} is exhausted: every row was used once (order: unique, onExhausted: stop)`);
    this.name = 'DataExhaustedError';
    this.feed = feed;
  }
}

export interface DataFeeds {
  /** True when a feed has this name (a template root may name a feed or a variable). */
  has(name: string): boolean;
  /**
   * The next row of a feed, or undefined when no feed has this name or the feed has no rows.
   * @throws {DataExhaustedError} a unique feed with `onExhausted: stop` has no row left
   */
  next(name: string): DataRow | undefined;
  /** The name of the first feed that ran out (unique + stop), else undefined. The run should end. */
  readonly exhausted: string | undefined;
  /**
   * The feeds restricted to rows `index, index + count, …` (every feed partitioned the same way),
   * so `count` workers never share a unique row. Cursors of the partition are its own.
   */
  partition(index: number, count: number): DataFeeds;
}

export interface DataFeedsOptions {
  /** Uniform in [0, 1), for `order: random`. */
  readonly random: () => number;
}

interface FeedState {
  readonly feed: DataFeed;
  readonly rows: readonly DataRow[];
  cursor: number;
}

function toRows(feed: DataFeed): DataRow[] {
  return feed.rows.map((cells) => {
    const row: Record<string, string> = Object.create(null) as Record<string, string>;
    feed.columns.forEach((col, i) => {
      row[col] = cells[i] ?? '';
    });
    return Object.freeze(row);
  });
}

class Feeds implements DataFeeds {
  private readonly states = new Map<string, FeedState>();
  private exhaustedName: string | undefined = undefined;

  constructor(
    private readonly feeds: readonly DataFeed[],
    private readonly rowsByFeed: ReadonlyMap<string, readonly DataRow[]>,
    private readonly random: () => number,
  ) {
    for (const feed of feeds) this.states.set(feed.name, { feed, rows: rowsByFeed.get(feed.name) ?? [], cursor: 0 });
  }

  get exhausted(): string | undefined {
    return this.exhaustedName;
  }

  has(name: string): boolean {
    return this.states.has(name);
  }

  next(name: string): DataRow | undefined {
    const s = this.states.get(name);
    if (s === undefined) return undefined;
    const n = s.rows.length;
    if (n === 0) {
      if (s.feed.order === 'unique' && s.feed.onExhausted === 'stop') return this.exhaust(name);
      return undefined;
    }
    switch (s.feed.order) {
      case 'random':
        return s.rows[Math.min(n - 1, Math.floor(this.random() * n))];
      case 'sequential': {
        const row = s.rows[s.cursor % n];
        s.cursor = (s.cursor + 1) % n;
        return row;
      }
      case 'unique': {
        if (s.cursor >= n) {
          if (s.feed.onExhausted === 'stop') return this.exhaust(name);
          s.cursor = 0;
        }
        return s.rows[s.cursor++];
      }
    }
  }

  partition(index: number, count: number): DataFeeds {
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
      throw new RangeError(`partition(${index}, ${count}): need 0 <= index < count`);
    }
    const parts = new Map<string, readonly DataRow[]>();
    for (const [name, rows] of this.rowsByFeed) parts.set(name, rows.filter((_, i) => i % count === index));
    return new Feeds(this.feeds, parts, this.random);
  }

  private exhaust(name: string): never {
    this.exhaustedName ??= name;
    throw new DataExhaustedError(name);
  }
}

/** Creates the feeds of a plan; rows become frozen objects once, here. */
export function createDataFeeds(feeds: readonly DataFeed[], opts: DataFeedsOptions): DataFeeds {
  const rows = new Map<string, readonly DataRow[]>();
  for (const feed of feeds) rows.set(feed.name, toRows(feed));
  return new Feeds(feeds, rows, opts.random);
}
