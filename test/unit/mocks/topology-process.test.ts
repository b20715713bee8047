/**
 * The topology's child processes (HAProxy, Prometheus, the instances) are stopped by pid by
 * close(); when the process that started them dies without closing (a crash, SIGKILL), they must
 * not outlive it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startProcess } from '../../../mocks/topology/process.js';

const processModule = fileURLToPath(new URL('../../../mocks/topology/process.ts', import.meta.url));
/** Running (a zombie waiting for a reaper counts as gone). */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('startProcess', () => {
  it.runIf(process.platform === 'linux')('the pid is the command itself, and stop() ends it', async () => {
    const p = startProcess('sleep', ['30']);
    await new Promise((r) => setTimeout(r, 100)); // setpriv execs the command
    expect(readFileSync(`/proc/${p.pid}/comm`, 'utf8').trim()).toBe('sleep');
    await p.stop();
    expect(p.exited()).toBe(true);
    expect(alive(p.pid)).toBe(false);
  });

  it.runIf(process.platform === 'linux')('a child dies with a parent killed by SIGKILL', async () => {
    const script = `
      const { startProcess } = await import(${JSON.stringify(processModule)});
      const p = startProcess('sleep', ['60']);
      console.log(p.pid);
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(parent.stdout, 'data')) as [Buffer];
    const pid = Number(chunk.toString().trim());
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    await once(parent, 'exit');
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const survived = alive(pid);
    if (survived) process.kill(pid, 'SIGKILL');
    expect(survived).toBe(false);
  });
});
