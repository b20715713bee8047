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
