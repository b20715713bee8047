/**
 * Finds the machine tools the services need (redis-server, java, mvn) and installs Debian's
 * package when one is missing and installing is permitted (root, apt-get present, run
 * non-interactively with `-y`).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ServiceError } from './errors.js';

/** A tool and the Debian package that provides it. */
export interface ToolSpec {
  /** Executable name looked up on PATH, e.g. `redis-server`. */
  readonly command: string;
  /** Debian package that provides it, e.g. `redis-server`. */
  readonly debPackage: string;
  /** What the user can do instead of installing, appended to the error. */
  readonly alternative?: string;
}

/** The tools the provisioning knows. */
export const TOOLS = {
  redis: { command: 'redis-server', debPackage: 'redis-server', alternative: 'or set REDIS_URL to a running Redis' },
  java: { command: 'java', debPackage: 'openjdk-17-jre-headless', alternative: 'or set KAFKA_BROKERS to a running broker' },
  mvn: { command: 'mvn', debPackage: 'maven', alternative: 'or set KAFKA_BROKERS to a running broker' },
} as const satisfies Record<string, ToolSpec>;

/** Options of {@link ensureTool}. */
export interface EnsureToolOptions {
  /** Install with apt-get when missing. Default: only when running as root and apt-get exists. */
  readonly allowInstall?: boolean;
  /** Progress messages (one line each). */
  readonly log?: (line: string) => void;
}

/** The absolute path of `command` on PATH, or undefined. */
export function which(command: string, pathVar: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether this process may install Debian packages: root, with apt-get on PATH. */
export function installPermitted(): boolean {
  return process.getuid?.() === 0 && which('apt-get') !== undefined;
}

/**
 * The path of the tool, installing its Debian package first when it is missing and permitted.
 * @throws ServiceError TOOL_MISSING (not permitted; the message names the package) or INSTALL_FAILED
 */
export function ensureTool(tool: ToolSpec, opts: EnsureToolOptions = {}): string {
  const found = which(tool.command);
  if (found !== undefined) return found;
  const allow = opts.allowInstall ?? installPermitted();
  const hint = `install Debian's package: apt-get install -y ${tool.debPackage}${tool.alternative ? ` (${tool.alternative})` : ''}`;
  if (!allow || which('apt-get') === undefined) {
    throw new ServiceError('TOOL_MISSING', `${tool.command} was not found on PATH; ${hint}`);
  }
  opts.log?.(`${tool.command} not found: installing ${tool.debPackage} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const res = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', tool.debPackage], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  const path = which(tool.command);
  if (res.status !== 0 || path === undefined) {
    throw new ServiceError('INSTALL_FAILED', `apt-get could not install ${tool.debPackage} (exit ${res.status ?? res.signal}); ${hint}`);
  }
  return path;
}
