/**
 * A single-node KRaft Kafka broker (3.9.1) on loopback, run from the Maven registry's jars with the
 * machine's Java.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceError } from './errors.js';
import { fetchKafkaJars } from './kafka-jars.js';
import { kafkaAnswers, warmUpGroups } from './kafka-probe.js';
import { freePort, LOOPBACK, portAccepts, sleep } from './net.js';
import { servicePaths } from './paths.js';
import { markInstance, newInstanceDir, pruneInstances } from './instances.js';
import { isAlive, spawnService, stopPid, tailFile } from './proc.js';
import { ensureTool, TOOLS } from './tools.js';

/** A running broker started by {@link startKafka}. */
export interface KafkaInstance {
  /** `127.0.0.1:<port>` — the bootstrap list for kafkajs / KAFKA_BROKERS. */
  readonly brokers: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly pid: number;
  /** The broker's log.dirs folder. */
  readonly dataDir: string;
  /** Config and logs (`server.properties`, `logs/server.log`). */
  readonly runDir: string;
  /** Stops this broker's pid only (SIGTERM, up to 30 s, then SIGKILL). Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startKafka}. */
export interface StartKafkaOptions {
  /** Client port on 127.0.0.1; 0 or absent = a free port. */
  readonly port?: number;
  /** KRaft controller port on 127.0.0.1; 0 or absent = a free port. */
  readonly controllerPort?: number;
  /**
   * Data folder (kept, and reused on the next start with the same folder). Default: a fresh folder
   * under `.cache/services/instances/`, removed on stop.
   */
  readonly dataDir?: string;
  /** Own process group so the broker outlives the caller (`services up`). Default false. */
  readonly detached?: boolean;
  /** JVM heap in MB; default 512. */
  readonly heapMb?: number;
  /** Install java / maven with apt-get when missing; default when root. */
  readonly allowInstall?: boolean;
  /** Time to wait for the broker to answer, in ms; default 60 000. */
  readonly readyTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** A Kafka cluster id: 16 random bytes, base64url, never starting with '-'. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function writeConfig(templates: string, runDir: string, dataDir: string, port: number, controllerPort: number): string {
  const text = readFileSync(join(templates, 'server.properties.template'), 'utf8')
    .replaceAll('@DATA_DIR@', dataDir)
    .replaceAll('127.0.0.1:9093', `${LOOPBACK}:${controllerPort}`)
    .replaceAll('127.0.0.1:9092', `${LOOPBACK}:${port}`);
  const file = join(runDir, 'server.properties');
  writeFileSync(file, text);
  return file;
}

function formatStorage(java: string, lib: string, templates: string, config: string, dataDir: string): void {
  if (existsSync(join(dataDir, 'meta.properties'))) return;
  const res = spawnSync(
    java,
    ['-Xmx256M', `-Dlog4j.configuration=file:${join(templates, 'tools-log4j.properties')}`, '-cp', `${lib}/*`,
      'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', config, '--ignore-formatted'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (res.status !== 0) {
    throw new ServiceError('START_FAILED', `kafka StorageTool format failed (exit ${res.status ?? res.signal}):\n${`${res.stdout}${res.stderr}`.trim().slice(-2_000)}`);
  }
}

/**
 * Starts a single-node KRaft broker on 127.0.0.1 and waits until it accepts connections, answers
 * kafkajs `describeCluster`, and has its consumer-offsets topic (so the first group join is quick).
 * Fetches the jars on first use. About 3 s once the jars are cached.
 * @throws ServiceError TOOL_MISSING / INSTALL_FAILED / FETCH_FAILED / START_FAILED / NOT_READY
 */
export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaInstance> {
  const paths = servicePaths();
  const java = ensureTool(TOOLS.java, { allowInstall: opts.allowInstall, log: opts.log });
  const lib = fetchKafkaJars(paths, { allowInstall: opts.allowInstall, log: opts.log });
  const autoPorts = !opts.port || !opts.controllerPort;
  const ephemeral = opts.dataDir === undefined;
  if (ephemeral) pruneInstances(paths.instances);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < (autoPorts ? 3 : 1); attempt++) {
    const port = opts.port || (await freePort());
    let controllerPort = opts.controllerPort || (await freePort());
    while (controllerPort === port) controllerPort = await freePort();
    const runDir = ephemeral ? newInstanceDir(paths.instances, `kafka-${port}`) : `${opts.dataDir}-run`;
    const dataDir = opts.dataDir ?? join(runDir, 'data');
    const logsDir = join(runDir, 'logs');
    mkdirSync(logsDir, { recursive: true });
    mkdirSync(dataDir, { recursive: true });
    const config = writeConfig(paths.kafkaTemplates, runDir, dataDir, port, controllerPort);
    formatStorage(java, lib, paths.kafkaTemplates, config, dataDir);
    const heap = `${opts.heapMb ?? 512}M`;
    const stdoutLog = join(logsDir, 'stdout.log');
    const proc = spawnService({
      command: java,
      args: [`-Xms${heap}`, `-Xmx${heap}`, '-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true',
        `-Dkafka.logs.dir=${logsDir}`, `-Dlog4j.configuration=file:${join(paths.kafkaTemplates, 'log4j.properties')}`,
        '-cp', `${lib}/*`, 'kafka.Kafka', config],
      cwd: runDir,
      logFile: stdoutLog,
      detached: opts.detached,
    });
    if (ephemeral) markInstance(runDir, proc.pid);
    const brokers = `${LOOPBACK}:${port}`;
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
    let ready = false;
    while (Date.now() < deadline && !proc.hasExited()) {
      if ((await portAccepts(port)) && (await kafkaAnswers(brokers, 2_000))) {
        ready = await warmUpGroups(brokers, Math.max(1_000, deadline - Date.now()));
        break;
      }
      await sleep(100);
    }
    if (ready && !proc.hasExited()) {
      const pid = proc.pid;
      let stopped: Promise<void> | undefined;
      return {
        brokers, port, controllerPort, pid, dataDir, runDir,
        stop: () =>
          (stopped ??= stopPid(pid).then(() => {
            if (ephemeral) rmSync(runDir, { recursive: true, force: true });
          })),
      };
    }
    const log = `${tailFile(join(logsDir, 'server.log'))}\n${tailFile(stdoutLog, 6)}`.trim();
    const exitedEarly = proc.hasExited();
    if (isAlive(proc.pid)) await stopPid(proc.pid, 5_000);
    lastError = exitedEarly
      ? new ServiceError('START_FAILED', `the Kafka broker on port ${port} exited before it was ready; logs in ${logsDir}:\n${log}`)
      : new ServiceError('NOT_READY', `the Kafka broker on port ${port} was not ready in time; logs in ${logsDir}:\n${log}`);
    if (!/BindException|address already in use/i.test(log)) break;
  }
  throw lastError ?? new ServiceError('START_FAILED', 'the Kafka broker did not start');
}
