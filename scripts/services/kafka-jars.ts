/**
 * The Kafka broker's jars, fetched once from the Maven registry into `.cache/services/kafka-jars/lib`
 * (`mvn dependency:copy-dependencies` on the checked-in pom.xml). A second call needs no network.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceError } from './errors.js';
import type { ServicePaths } from './paths.js';
import { ensureTool, TOOLS } from './tools.js';

/** Options of {@link fetchKafkaJars}. */
export interface FetchKafkaJarsOptions {
  /** Install maven / a JRE with apt-get when missing; default when root. */
  readonly allowInstall?: boolean;
  readonly log?: (line: string) => void;
}

const MARKER = '.complete';

function pomDigest(paths: ServicePaths): string {
  return createHash('sha256').update(readFileSync(join(paths.kafkaTemplates, 'pom.xml'))).digest('hex');
}

/** Whether the jars for the current pom.xml are already in the cache. */
export function kafkaJarsCached(paths: ServicePaths): boolean {
  try {
    return readFileSync(join(paths.kafkaJars, MARKER), 'utf8').trim() === pomDigest(paths);
  } catch {
    return false;
  }
}

/**
 * Makes sure the broker jars are cached; fetches them with Maven when not (about 50 files, 46 MB).
 * Concurrent callers are safe: each fetches into its own folder and the first to finish wins.
 * @returns the `lib` folder to put on the classpath (`<lib>/*`)
 * @throws ServiceError TOOL_MISSING / INSTALL_FAILED / FETCH_FAILED
 */
export function fetchKafkaJars(paths: ServicePaths, opts: FetchKafkaJarsOptions = {}): string {
  if (kafkaJarsCached(paths)) return paths.kafkaLib;
  const mvn = ensureTool(TOOLS.mvn, opts);
  const digest = pomDigest(paths);
  const work = `${paths.kafkaJars}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  copyFileSync(join(paths.kafkaTemplates, 'pom.xml'), join(work, 'pom.xml'));
  opts.log?.('fetching the Kafka broker jars from the Maven registry (first time only)');
  const res = spawnSync(mvn, ['-B', '-q', '-f', join(work, 'pom.xml'), 'dependency:copy-dependencies'], {
    cwd: work,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const lib = join(work, 'lib');
  const jars = existsSync(lib) ? readdirSync(lib).filter((f) => f.endsWith('.jar')) : [];
  if (res.status !== 0 || jars.length === 0) {
    rmSync(work, { recursive: true, force: true });
    const out = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim().slice(-2_000);
    throw new ServiceError('FETCH_FAILED', `mvn dependency:copy-dependencies failed (exit ${res.status ?? res.signal}); the Maven registry must be reachable the first time:\n${out}`);
  }
  writeFileSync(join(work, MARKER), `${digest}\n`);
  if (kafkaJarsCached(paths)) {
    rmSync(work, { recursive: true, force: true });
    return paths.kafkaLib;
  }
  rmSync(paths.kafkaJars, { recursive: true, force: true });
  try {
    renameSync(work, paths.kafkaJars);
  } catch {
    // another process renamed its copy first
    rmSync(work, { recursive: true, force: true });
  }
  if (!kafkaJarsCached(paths)) throw new ServiceError('FETCH_FAILED', `the Kafka jars could not be placed in ${paths.kafkaJars}`);
  return paths.kafkaLib;
}
