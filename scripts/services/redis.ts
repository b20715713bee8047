/**
 * A private Redis server on loopback, started from the machine's redis-server binary.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ServiceError } from './errors.js';
import { freePort, LOOPBACK, sleep } from './net.js';
import { servicePaths } from './paths.js';
import { markInstance, newInstanceDir, pruneInstances } from './instances.js';
import { isAlive, spawnService, stopPid, tailFile } from './proc.js';
import { ensureTool, TOOLS } from './tools.js';

/** A running Redis started by {@link startRedis}. */
export interface RedisInstance {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Working folder (log file; no persistence is configured). */
  readonly dir: string;
  /** Stops this server's pid only (SIGTERM, up to 30 s, then SIGKILL). Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** TCP port on 127.0.0.1; 0 or absent = a free port. */
  readonly port?: number;
  /** Working folder; default a fresh folder under `.cache/services/instances/`, removed on stop. */
  readonly dir?: string;
  /** Own process group so the server outlives the caller (`services up`). Default false. */
  readonly detached?: boolean;
  /** Install redis-server with apt-get when missing; default when root. */
  readonly allowInstall?: boolean;
  /** Time to wait for PING to answer, in ms; default 10 000. */
  readonly readyTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * Whether a Redis at `url` answers PING within `timeoutMs` (default 1 000 ms).
 * Never throws; a server that needs a password answers only when the URL carries it.
 */
export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), timeoutMs);
  });
  const probe = (async () => {
    await client.connect();
    return (await client.ping()) === 'PONG';
  })().catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * Starts redis-server on 127.0.0.1 with no persistence, waits until it answers PING.
 * @throws ServiceError TOOL_MISSING / INSTALL_FAILED / START_FAILED / NOT_READY
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisInstance> {
  const binary = ensureTool(TOOLS.redis, { allowInstall: opts.allowInstall, log: opts.log });
  const autoPort = opts.port === undefined || opts.port === 0;
  const ownDir = opts.dir === undefined;
  const attempts = autoPort ? 3 : 1;
  if (ownDir) pruneInstances(servicePaths().instances);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = autoPort ? await freePort() : (opts.port as number);
    const dir = opts.dir ?? newInstanceDir(servicePaths().instances, `redis-${port}`);
    mkdirSync(dir, { recursive: true });
    const logFile = join(dir, 'redis.log');
    const proc = spawnService({
      command: binary,
      args: ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
      cwd: dir,
      logFile,
      detached: opts.detached,
    });
    if (ownDir) markInstance(dir, proc.pid);
    const url = `redis://${LOOPBACK}:${port}`;
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 10_000);
    let ready = false;
    while (Date.now() < deadline && !proc.hasExited()) {
      if (await redisAnswers(url, 500)) {
        ready = true;
        break;
      }
      await sleep(50);
    }
    if (ready) {
      const pid = proc.pid;
      let stopped: Promise<void> | undefined;
      return {
        url,
        port,
        pid,
        dir,
        stop: () =>
          (stopped ??= stopPid(pid).then(() => {
            if (ownDir) rmSync(dir, { recursive: true, force: true });
          })),
      };
    }
    const log = tailFile(logFile);
    const exitedEarly = proc.hasExited();
    if (isAlive(proc.pid)) await stopPid(proc.pid, 2_000);
    lastError = exitedEarly
      ? new ServiceError('START_FAILED', `redis-server on port ${port} exited before answering PING; last lines of ${logFile}:\n${log}`)
      : new ServiceError('NOT_READY', `redis-server on port ${port} did not answer PING in time; last lines of ${logFile}:\n${log}`);
    if (!/address already in use/i.test(log)) break;
  }
  throw lastError ?? new ServiceError('START_FAILED', 'redis-server did not start');
}
