/**
 * Finds a machine tool (haproxy, prometheus, promtool) on PATH and installs Debian's package when it
 * is missing and installing is permitted (root with apt-get), the way scripts/services provisions
 * redis-server and java. Otherwise a clear error names the package.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A tool and the Debian package that provides it. */
export interface TopologyTool {
  /** Executable name, e.g. `haproxy`. */
  readonly command: string;
  /** Debian package, e.g. `haproxy`. */
  readonly debPackage: string;
}

/** The tools the topology uses. */
export const TOPOLOGY_TOOLS = {
  haproxy: { command: 'haproxy', debPackage: 'haproxy' },
  prometheus: { command: 'prometheus', debPackage: 'prometheus' },
  promtool: { command: 'promtool', debPackage: 'prometheus' },
  pushgateway: { command: 'prometheus-pushgateway', debPackage: 'prometheus-pushgateway' },
} as const satisfies Record<string, TopologyTool>;

/** A tool is missing and could not (or may not) be installed. */
export class ToolMissingError extends Error {
  override readonly name = 'ToolMissingError';
}

function onPath(command: string, pathVar: string): string | undefined {
  // Debian puts haproxy in /usr/sbin, which a non-login PATH may lack.
  for (const dir of [...pathVar.split(delimiter), '/usr/sbin', '/usr/local/sbin']) {
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

/** Options of {@link ensureTopologyTool}. */
export interface EnsureToolOptions {
  /** Install with apt-get when missing. Default: when running as root with apt-get on PATH. */
  readonly allowInstall?: boolean;
  /** PATH to search. Default: this process's PATH. */
  readonly path?: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/**
 * The absolute path of the tool, installing its package first when missing and permitted.
 * @throws ToolMissingError naming the Debian package to install
 */
export function ensureTopologyTool(tool: TopologyTool, opts: EnsureToolOptions = {}): string {
  const pathVar = opts.path ?? process.env.PATH ?? '';
  const found = onPath(tool.command, pathVar);
  if (found !== undefined) return found;
  const hasApt = onPath('apt-get', pathVar) !== undefined;
  const allow = (opts.allowInstall ?? process.getuid?.() === 0) && hasApt;
  const hint = `install Debian's package: apt-get install -y ${tool.debPackage}`;
  if (!allow) throw new ToolMissingError(`${tool.command} was not found on PATH; ${hint}`);
  opts.log?.(`${tool.command} not found: installing ${tool.debPackage} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Several test files may install at once: wait for apt's lock instead of failing on it.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  spawnSync('apt-get', [...lock, 'update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const res = spawnSync('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', tool.debPackage], { stdio: ['ignore', 'ignore', 'inherit'], env });
  // Whoever installed it (this call or a concurrent one), it is there now.
  const path = onPath(tool.command, pathVar);
  if (path === undefined) throw new ToolMissingError(`apt-get could not install ${tool.debPackage} (exit ${res.status ?? res.signal}); ${hint}`);
  return path;
}
