/**
 * The parent's side of the target (bench/target-server.ts): start it pinned to CPU 0, ask it for
 * the requests it counted in a window, stop it.
 */
import { fileURLToPath } from 'node:url';
import { spawnBounded, type Spawned } from './proc.js';

const SERVER = fileURLToPath(new URL('../target-server.ts', import.meta.url));

export interface TargetStats {
  /** Requests answered since the target started. */
  readonly total: number;
  /** Epoch ms of the first request since the last mark (0 before any). */
  readonly firstAt: number;
  /** Requests per 100 ms bucket over the asked window (whole buckets only). */
  readonly windows: readonly number[];
  /** Epoch ms where the first bucket starts. */
  readonly fromMs: number;
}

export interface Target {
  readonly url: string;
  readonly pid: number;
  /** Counts over [fromMs, toMs) in epoch ms (aligned to 100 ms buckets). */
  stats(fromMs: number, toMs: number): Promise<TargetStats>;
  /** Makes the next request the "first request" (firstAt is 0 until it comes). */
  mark(): Promise<TargetStats>;
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** Answer every request after this long (ms). Default 0. */
  readonly delayMs?: number;
  /** Pin to this CPU (default 0). */
  readonly cpu?: number;
  /** Killed after this long, ms (default 30 min). */
  readonly timeoutMs?: number;
  readonly cwd: string;
}

/** Starts a target and resolves once it listens. */
export async function startTarget(o: TargetOptions): Promise<Target> {
  const args = ['--import', 'tsx', SERVER];
  if (o.delayMs !== undefined && o.delayMs > 0) args.push('--delay-ms', String(o.delayMs));
  const proc: Spawned = spawnBounded(process.execPath, args, { cpu: o.cpu ?? 0, cwd: o.cwd, timeoutMs: o.timeoutMs ?? 30 * 60_000, ipc: true });
  const child = proc.child;
  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (): void => reject(new Error(`the target exited before listening: ${proc.err()}`));
    child.once('exit', onExit);
    child.once('message', (m: { port?: number }) => {
      child.off('exit', onExit);
      if (typeof m.port === 'number' && m.port > 0) resolve(m.port);
      else reject(new Error('the target did not report a port'));
    });
  });
  let queue: Promise<unknown> = Promise.resolve();
  // One question at a time: answers come back in order on the channel.
  const ask = (msg: object): Promise<TargetStats> => {
    const next = queue.then(
      () =>
        new Promise<TargetStats>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the target did not answer within 10 s')), 10_000);
          child.once('message', (m: TargetStats) => {
            clearTimeout(timer);
            resolve(m);
          });
          child.send(msg);
        }),
    );
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    stats: (fromMs, toMs) => ask({ cmd: 'stats', fromMs, toMs }),
    mark: () => ask({ cmd: 'mark' }),
    async stop() {
      if (child.connected) child.send({ cmd: 'stop' });
      const t = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await proc.exited;
      clearTimeout(t);
    },
  };
}
