import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { down, status } from '../../scripts/services/commands.js';
import type { CommandContext } from '../../scripts/services/commands.js';
import { servicePaths, startRedis } from '../../scripts/services/index.js';
import { markInstance, newInstanceDir, pruneInstances } from '../../scripts/services/instances.js';
import { isAlive, stopPid } from '../../scripts/services/proc.js';
import { readState, writeState } from '../../scripts/services/state.js';

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
