/**
 * The helper threads an open-model run lowers (src/engine/helper-threads.ts), on a real process:
 * every thread listed at the entry drops to nice 19, the main thread keeps its priority, and a
 * worker thread started after the listing is left alone. Each case runs in a fresh Node process, so
 * the test runner's own threads are never touched.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commandRuns } from '../support/processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const probe = `
  import { Worker } from 'node:worker_threads';
  const { processHelperThreads, listThreads, niceOf, HELPER_NICE } = await import(${JSON.stringify(`${root}src/engine/helper-threads.ts`)});
  const helpers = processHelperThreads();
  const listed = listThreads().filter((t) => t !== process.pid);
  const before = Object.fromEntries(listed.map((t) => [t, niceOf(t)]));
  // A worker thread started after the listing: it runs a load of its own in a --workers run.
  const worker = new Worker("Promise.all([import('node:worker_threads'), import('node:fs')]).then(([w, fs]) => { w.parentPort.postMessage(fs.readlinkSync('/proc/thread-self').split('/').pop()); setInterval(() => {}, 1000); });", { eval: true });
  const workerTid = Number(await new Promise((r) => worker.once('message', r)));
  const mainBefore = niceOf(process.pid);
  const lowered = helpers.lower();
  const again = helpers.lower();
  console.log(JSON.stringify({ lowered, again, listed, before, after: Object.fromEntries(listed.map((t) => [t, niceOf(t)])), main: [mainBefore, niceOf(process.pid)], worker: niceOf(workerTid), workerTid, nice: HELPER_NICE }));
  await worker.terminate();
`;

describe.runIf(process.platform === 'linux')('helper threads (Linux)', () => {
  it('lowers every thread listed at the entry to nice 19, once, and neither the main thread nor a later worker thread', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, timeout: 30_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
      lowered: number; again: number; listed: number[]; before: Record<string, number>; after: Record<string, number>; main: [number, number]; worker: number; workerTid: number; nice: number;
    };
    // Node starts V8's helper threads before any JavaScript runs.
    expect(r.listed.length).toBeGreaterThanOrEqual(2);
    expect(r.listed).not.toContain(r.workerTid);
    const wereHigher = Object.values(r.before).filter((n) => n < r.nice).length;
    expect(wereHigher).toBeGreaterThan(0);
    expect(r.lowered).toBe(wereHigher);
    expect(r.again).toBe(0);
    for (const t of r.listed) expect(r.after[t], `thread ${t}`).toBe(r.nice);
    expect(r.main[1]).toBe(r.main[0]);
    expect(r.main[1]).toBeLessThan(r.nice);
    expect(r.worker).toBe(r.main[0]);
  });
});

/** Makes V8's helper threads work (concurrent marking of a large heap), then waits for them to go idle. */
const busyProbe = `
  const { processHelperThreads } = await import(${JSON.stringify(`${root}src/engine/helper-threads.ts`)});
  const { waitForIdle, collectGarbage } = await import(${JSON.stringify(`${root}src/engine/own-process.ts`)});
  const helpers = processHelperThreads();
  const before = helpers.cpuMs();
  const keep = [];
  for (let i = 0; i < 8; i++) {
    keep.push(Array.from({ length: 200_000 }, (_, j) => ({ j, s: String(j) })));
    await collectGarbage();
  }
  const busy = helpers.cpuMs();
  const waited = await waitForIdle(helpers, 2_000);
  const idleFrom = helpers.cpuMs();
  await new Promise((r) => setTimeout(r, 20));
  console.log(JSON.stringify({ before, busy, waited, idleFrom, idleTo: helpers.cpuMs(), kept: keep.length }));
`;

describe.runIf(process.platform === 'linux')('helper threads going idle (Linux)', () => {
  it('counts the CPU the helper threads use, and the wait for them ends once they stop', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', busyProbe], { cwd: root, timeout: 60_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { before: number; busy: number; waited: number; idleFrom: number; idleTo: number };
    // Eight full collections of a heap of a million objects and more: V8 marks it on the helper threads too.
    expect(r.busy).toBeGreaterThan(r.before);
    // The wait ended before its 2 s bound, and the threads stayed (almost) idle after it.
    expect(r.waited).toBeLessThan(2_000);
    expect(r.idleTo - r.idleFrom).toBeLessThan(r.busy - r.before);
  });
});

const hasChrt = commandRuns('chrt', ['--version']);

/** Gives the helper threads the idle policy with the real `chrt`, and with one that is missing. */
const idleProbe = `
  const { processHelperThreads, listThreads, policyOf, SCHED_IDLE } = await import(${JSON.stringify(`${root}src/engine/helper-threads.ts`)});
  const missing = processHelperThreads(async (tids) => { await new Promise((r) => setTimeout(r, 5)); });
  const none = await missing.idle();
  const helpers = processHelperThreads();
  const listed = listThreads().filter((t) => t !== process.pid);
  const before = listed.map((t) => policyOf(t));
  const idle = await helpers.idle();
  const again = await helpers.idle();
  console.log(JSON.stringify({ none, idle, again, listed: listed.length, before, after: listed.map((t) => policyOf(t)), main: policyOf(process.pid), SCHED_IDLE }));
`;

describe.runIf(process.platform === 'linux' && hasChrt)('helper threads on the idle scheduling policy (Linux, util-linux chrt)', () => {
  it('gives every thread listed at the entry SCHED_IDLE and counts them, leaves the main thread alone, and counts none where it cannot be set', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', idleProbe], { cwd: root, timeout: 30_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { none: number; idle: number; again: number; listed: number; before: number[]; after: number[]; main: number; SCHED_IDLE: number };
    expect(r.listed).toBeGreaterThanOrEqual(2);
    // Every helper thread starts on the normal policy; a setter that does nothing leaves them so, and says so.
    expect(r.before.every((p) => p === 0)).toBe(true);
    expect(r.none).toBe(0);
    expect(r.after).toEqual(r.before.map(() => r.SCHED_IDLE));
    expect(r.idle).toBe(r.listed);
    expect(r.again).toBe(r.listed);
    expect(r.main).toBe(0);
  });
});

/** Scavenges with many survivors, with the entry's flags (`main`) or without; prints the helper threads' CPU over them. */
const scavengeProbe = (gcOnMainThread: boolean): string => `
  const { gcOnMainThreadWithOneCpu } = await import(${JSON.stringify(`${root}src/engine/gc-threads.ts`)});
  const set = ${String(gcOnMainThread)} ? gcOnMainThreadWithOneCpu({ cpus: () => 1 }) : false;
  const { processHelperThreads } = await import(${JSON.stringify(`${root}src/engine/helper-threads.ts`)});
  const helpers = processHelperThreads();
  const { PerformanceObserver, constants } = await import('node:perf_hooks');
  let scavenges = 0;
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++; });
  obs.observe({ entryTypes: ['gc'] });
  const before = helpers.cpuMs();
  const keep = [];
  for (let i = 0; i < 1_500; i++) {
    keep.push(Array.from({ length: 4_000 }, (_, j) => ({ j, s: 'x' + j })));
    if (keep.length > 60) keep.shift();
  }
  const used = helpers.cpuMs() - before;
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  console.log(JSON.stringify({ set, used, scavenges, kept: keep.length }));
`;

describe.runIf(process.platform === 'linux')('garbage collection on the main thread (the CLI entry with one CPU, Linux)', () => {
  it('leaves the helper threads (almost) idle through scavenges that otherwise keep them busy', async () => {
    const run = async (main: boolean): Promise<{ set: boolean; used: number; scavenges: number }> => {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', scavengeProbe(main)], { cwd: root, timeout: 60_000 });
      return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { set: boolean; used: number; scavenges: number };
    };
    const parallel = await run(false);
    const main = await run(true);
    expect(parallel.set).toBe(false);
    expect(main.set).toBe(true);
    // The same work collects as often either way; only who does it changes.
    expect(parallel.scavenges).toBeGreaterThan(20);
    expect(main.scavenges).toBeGreaterThan(20);
    expect(main.used).toBeLessThan(parallel.used / 3);
  }, 120_000);
});
