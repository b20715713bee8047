/**
 * `.cache/services/state.json`: what `services up` started, so `down` stops exactly those pids and
 * later runs reuse them.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isOurProcess } from './proc.js';

/** One recorded service process. */
export interface ServiceRecord {
  readonly pid: number;
  readonly port: number;
  /** Kafka only: the controller port. */
  readonly controllerPort?: number;
  /** `redis://…` for Redis, `host:port` for Kafka. */
  readonly address: string;
  /** Redis: its working folder; Kafka: its data folder. */
  readonly dir: string;
  /** Kafka only: config and logs. */
  readonly runDir?: string;
  /** ISO time of the start. */
  readonly startedAt: string;
}

/** The whole state file. */
export interface ServiceState {
  redis?: ServiceRecord;
  kafka?: ServiceRecord;
}

/** Reads the state file; a missing or unreadable file is an empty state. */
export function readState(file: string): ServiceState {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as ServiceState) : {};
  } catch {
    return {};
  }
}

/** Writes the state file atomically; an empty state removes it. */
export function writeState(file: string, state: ServiceState): void {
  if (state.redis === undefined && state.kafka === undefined) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/**
 * Whether the recorded pid is alive and still the process that was started (its command line
 * names the recorded port, or for Kafka its run folder).
 */
export function recordAlive(kind: keyof ServiceState, rec: ServiceRecord): boolean {
  const markers = kind === 'redis' ? ['redis-server', String(rec.port)] : ['kafka.Kafka', rec.runDir ?? rec.dir];
  return isOurProcess(rec.pid, markers);
}
