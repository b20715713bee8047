import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { down, status } from '../../scripts/services/commands.js';
import type { CommandContext } from '../../scripts/services/commands.js';
import { ServiceError, servicePaths, startRedis } from '../../scripts/services/index.js';
import { markInstance, newInstanceDir, pruneInstances } from '../../scripts/services/instances.js';
import { isAlive, stopPid } from '../../scripts/services/proc.js';
import { readState, writeState } from '../../scripts/services/state.js';
import { ensureTool } from '../../scripts/services/tools.js';

function context(root: string, lines: string[]): CommandContext {
  return { paths: servicePaths(root), env: { REDIS_URL: undefined, KAFKA_BROKERS: '127.0.0.1:1' }, out: (l) => lines.push(l) };
}

describe('services status/down with state.json', () => {
  const roots: string[] = [];
  const pids: number[] = [];
  afterAll(async () => {
    await Promise.all(pids.map((p) => stopPid(p, 2_000)));
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('down stops the recorded Redis pid and clears the record', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rampart-services-'));
    roots.push(root);
    const redis = await startRedis();
    pids.push(redis.pid);
    const paths = servicePaths(root);
    writeState(paths.stateFile, {
      redis: { pid: redis.pid, port: redis.port, address: redis.url, dir: redis.dir, startedAt: new Date().toISOString() },
    });

    const lines: string[] = [];
    await status(context(root, lines));
    expect(lines.join('\n')).toMatch(/kafka: down/);

    const downLines: string[] = [];
    expect(await down(context(root, downLines))).toBe(0);
    expect(downLines.join('\n')).toContain(`redis: stopped pid ${redis.pid}`);
    expect(isAlive(redis.pid)).toBe(false);
    expect(existsSync(paths.stateFile)).toBe(false);
  });

  it('down never signals a pid whose process is not the recorded service (recycled pid)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rampart-services-'));
    roots.push(root);
    const decoy = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = decoy.pid as number;
    pids.push(pid);
    const paths = servicePaths(root);
    writeState(paths.stateFile, {
      redis: { pid, port: 6399, address: 'redis://127.0.0.1:6399', dir: join(root, 'gone'), startedAt: new Date().toISOString() },
      kafka: { pid, port: 9999, address: '127.0.0.1:9999', dir: join(root, 'data'), runDir: join(root, 'data-run'), startedAt: new Date().toISOString() },
    });
    const lines: string[] = [];
    await down(context(root, lines));
    expect(lines.join('\n')).toContain(`redis: recorded pid ${pid} is no longer running`);
    expect(lines.join('\n')).toContain(`kafka: recorded pid ${pid} is no longer running`);
    expect(isAlive(pid)).toBe(true);
    expect(readState(paths.stateFile)).toEqual({});
  });
});

describe('instance folders', () => {
  it('prunes folders whose server is gone, keeps live and just-created ones', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rampart-instances-'));
    try {
      const gone = spawn('true', [], { stdio: 'ignore' });
      await new Promise((r) => gone.once('exit', r));
      const dead = newInstanceDir(root, 'redis-1');
      markInstance(dead, gone.pid as number);
      const live = newInstanceDir(root, 'redis-2');
      markInstance(live, process.pid);
      const fresh = newInstanceDir(root, 'kafka-3');
      const old = join(root, 'kafka-4-old');
      mkdirSync(old);
      const past = new Date(Date.now() - 3_600_000);
      utimesSync(old, past, past);

      expect(pruneInstances(root).sort()).toEqual([dead, old].sort());
      expect(existsSync(live)).toBe(true);
      expect(existsSync(fresh)).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('services command line', () => {
  const cli = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/services/cli.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 30_000,
    });

  it('status reports both services up (exit 0) at the configured addresses', () => {
    const res = cli(['status'], { REDIS_URL: inject('redisUrl'), KAFKA_BROKERS: inject('kafkaBrokers') });
    expect(res.stdout).toContain(`redis: up at ${inject('redisUrl')}`);
    expect(res.stdout).toMatch(/kafka: up at /);
    expect(res.status).toBe(0);
  });

  it('rejects an unknown command with usage and exit 2', () => {
    const res = cli(['sideways'], {});
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('unknown command: sideways');
    expect(res.stderr).toContain('usage: npm run services');
  });
});

describe('ensureTool', () => {
  it('names the Debian package when a tool is missing and installing is not permitted', () => {
    let err: unknown;
    try {
      ensureTool({ command: 'rampart-no-such-tool', debPackage: 'rampart-no-such-pkg' }, { allowInstall: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe('TOOL_MISSING');
    expect((err as ServiceError).message).toBe(
      "rampart-no-such-tool was not found on PATH; install Debian's package: apt-get install -y rampart-no-such-pkg",
    );
  });

  it('finds a tool on PATH', () => {
    expect(ensureTool({ command: 'sh', debPackage: 'dash' }, { allowInstall: false })).toMatch(/\/sh$/);
  });
});
