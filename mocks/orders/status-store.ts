/**
 * Job status in Redis, shared by every instance of the service and every worker.
 *
 * Keys (all under the configured prefix):
 * - `job:<id>`        hash: the job and its status; expires `jobTtlSeconds` after its last change
 * - `claim:<id>`      string: the worker holding the job, with a lease (SET NX PX); the processing marker
 * - `stats`           hash: `accepted`, `done`, `failed`, `redelivered`, `unknown` counters across all instances
 * - `events`          pub/sub channel: `{"jobId","status"}` on every move to processing, done or failed
 *
 * Status transitions run as Lua scripts so they are atomic: a job becomes `processing` only if it is
 * not finished and nobody holds its claim, and becomes `done`/`failed` only by the claim's holder and
 * only from `processing`. So a redelivered message never makes a job done twice.
 */
import type { Redis } from 'ioredis';
import type { JobRecord, JobStatus, OrderJob } from './job.js';

/** The outcome of {@link StatusStore.claim}. */
export type ClaimResult = 'claimed' | 'busy' | 'finished' | 'unknown';

/** Counters across every instance sharing the Redis prefix. */
export interface OrdersStats {
  /** Orders acknowledged by Kafka and answered 202. */
  readonly accepted: number;
  /** Transitions to done (equals the number of done jobs: a job is never done twice). */
  readonly done: number;
  /** Transitions to failed. */
  readonly failed: number;
  /** Messages delivered again for a job that was already finished (skipped). */
  readonly redelivered: number;
  /** Messages for jobs Redis does not know (never accepted, or expired), skipped. */
  readonly unknown: number;
}

const CLAIM = `
local st = redis.call('HGET', KEYS[1], 'status')
if st == 'done' or st == 'failed' then return 'finished' end
if not st then return 'unknown' end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'busy' end
redis.call('HSET', KEYS[1], 'status', 'processing', 'updatedAt', ARGV[3], 'worker', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', KEYS[3], cjson.encode({ jobId = ARGV[5], status = 'processing' }))
return 'claimed'
`;

const FINISH = `
local holder = redis.call('GET', KEYS[2])
if holder ~= ARGV[1] then
  if holder or redis.call('HGET', KEYS[1], 'worker') ~= ARGV[1] then return 0 end
end
if redis.call('HGET', KEYS[1], 'status') ~= 'processing' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updatedAt', ARGV[3], 'completedAt', ARGV[3])
if ARGV[2] == 'done' then
  redis.call('HINCRBY', KEYS[1], 'doneCount', 1)
  redis.call('HINCRBY', KEYS[3], 'done', 1)
else
  redis.call('HSET', KEYS[1], 'error', ARGV[4])
  redis.call('HINCRBY', KEYS[3], 'failed', 1)
end
redis.call('DEL', KEYS[2])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('PUBLISH', KEYS[4], cjson.encode({ jobId = ARGV[6], status = ARGV[2] }))
return 1
`;

const DISCARD_QUEUED = `
if redis.call('HGET', KEYS[1], 'status') == 'queued' and redis.call('HGET', KEYS[1], 'attempts') == '0' then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** Reads and moves job status in Redis; one per service or worker, sharing the Redis client. */
export class StatusStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private jobKey(id: string): string {
    return `${this.prefix}job:${id}`;
  }
  private claimKey(id: string): string {
    return `${this.prefix}claim:${id}`;
  }
  private statsKey(): string {
    return `${this.prefix}stats`;
  }
  /** The pub/sub channel of status changes (see the module comment). */
  get eventsChannel(): string {
    return `${this.prefix}events`;
  }

  /** Records a new job as `queued` (before it is produced). */
  async recordQueued(job: OrderJob): Promise<void> {
    const at = job.createdAt;
    const fields: Record<string, string> = {
      jobId: job.jobId,
      productId: JSON.stringify(job.productId),
      qty: String(job.qty),
      createdAt: at,
      status: 'queued',
      updatedAt: at,
      attempts: '0',
      doneCount: '0',
    };
    if (job.email !== undefined) fields.email = job.email;
    await this.redis.multi().hset(this.jobKey(job.jobId), fields).expire(this.jobKey(job.jobId), this.ttlSeconds).exec();
  }

  /** Counts an order acknowledged by Kafka. */
  async countAccepted(): Promise<void> {
    await this.redis.hincrby(this.statsKey(), 'accepted', 1);
  }

  /**
   * Removes a job that could not be produced, unless a worker already picked it up (a send that
   * timed out may still have reached the broker). Returns whether it was removed.
   */
  async discardUnsent(jobId: string): Promise<boolean> {
    const n = await this.redis.eval(DISCARD_QUEUED, 1, this.jobKey(jobId));
    return n === 1;
  }

  /**
   * Takes the job for processing as `owner` for `leaseMs`. `finished`: it is already done or failed
   * (a redelivery; skip it). `busy`: another worker holds it (try again later). `unknown`: Redis
   * has no record of it — it was never accepted (its send was answered 503) or its record expired
   * long ago; skip it.
   */
  async claim(jobId: string, owner: string, leaseMs: number): Promise<ClaimResult> {
    const r = await this.redis.eval(
      CLAIM, 3, this.jobKey(jobId), this.claimKey(jobId), this.eventsChannel,
      owner, String(Math.ceil(leaseMs)), this.now().toISOString(), String(this.ttlSeconds), jobId,
    );
    if (r === 'finished') await this.redis.hincrby(this.statsKey(), 'redelivered', 1);
    else if (r === 'unknown') await this.redis.hincrby(this.statsKey(), 'unknown', 1);
    return r as ClaimResult;
  }

  /**
   * Ends a claimed job as `done` or `failed`. Returns false when `owner` no longer holds it (its
   * lease passed and another worker took over), in which case nothing changes.
   */
  async finish(jobId: string, owner: string, outcome: 'done' | 'failed', error = ''): Promise<boolean> {
    const r = await this.redis.eval(
      FINISH, 4, this.jobKey(jobId), this.claimKey(jobId), this.statsKey(), this.eventsChannel,
      owner, outcome, this.now().toISOString(), error, String(this.ttlSeconds), jobId,
    );
    return r === 1;
  }

  /** The job's record, or undefined when Redis does not know it. */
  async get(jobId: string): Promise<JobRecord | undefined> {
    const h = await this.redis.hgetall(this.jobKey(jobId));
    if (h.status === undefined || h.jobId === undefined) return undefined;
    return toRecord(h);
  }

  /** The shared counters. */
  async stats(): Promise<OrdersStats> {
    const h = await this.redis.hgetall(this.statsKey());
    const n = (k: string): number => Number(h[k] ?? 0);
    return { accepted: n('accepted'), done: n('done'), failed: n('failed'), redelivered: n('redelivered'), unknown: n('unknown') };
  }
}

function toRecord(h: Record<string, string>): JobRecord {
  let productId: string | number = h.productId ?? '';
  try {
    const p: unknown = JSON.parse(productId);
    if (typeof p === 'string' || typeof p === 'number') productId = p;
  } catch {
    // a value written by hand stays as it is
  }
  return {
    jobId: h.jobId ?? '',
    status: (h.status ?? 'queued') as JobStatus,
    productId,
    qty: Number(h.qty ?? 0),
    ...(h.email !== undefined ? { email: h.email } : {}),
    createdAt: h.createdAt ?? '',
    updatedAt: h.updatedAt ?? h.createdAt ?? '',
    attempts: Number(h.attempts ?? 0),
    doneCount: Number(h.doneCount ?? 0),
    ...(h.completedAt !== undefined ? { completedAt: h.completedAt } : {}),
    ...(h.error !== undefined ? { error: h.error } : {}),
  };
}
