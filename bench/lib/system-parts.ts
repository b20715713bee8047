/**
 * Parts about the generator as a process: memory with 10,000 VUs against a slow target, and the
 * start-up time from the command to the first request at the target.
 */
import { join } from 'node:path';
import { GENERATOR_CPU, measure, rampartCommand } from './generators.js';
import { mark, mib, num, table } from './format.js';
import { delay, epochMs, spawnBounded } from './proc.js';
import { manyVus, small } from './scenarios.js';
import { median } from './stats.js';
import { startTarget } from './target.js';
import type { PartResult } from './closed-parts.js';

/** Memory goal: peak RSS under this, bytes. */
export const MEMORY_GOAL_BYTES = 1024 ** 3;
/** Start-up goal: command to first request under this, ms. */
export const STARTUP_GOAL_MS = 300;

/**
 * `vus` VUs (closed model, one connection each) against a target answering after `delayMs`:
 * rampart's peak RSS (VmHWM), and what it sustained meanwhile.
 */
export async function memoryPart(
  o: { root: string; rampart: string; vus: number; delayMs: number; rampMs: number; holdMs: number; log: (l: string) => void },
): Promise<PartResult> {
  o.log(`memory: ${num(o.vus)} VUs, target answering after ${o.delayMs} ms, ramp ${o.rampMs} ms, hold ${o.holdMs} ms`);
  const target = await startTarget({ cwd: o.root, delayMs: o.delayMs });
  try {
    const g = rampartCommand(o.rampart, `rampart ${o.vus} VUs`, manyVus({ vus: o.vus, rampMs: o.rampMs, holdMs: o.holdMs, connections: o.vus }), target.url);
    const windowMs = Math.max(1000, Math.floor((o.holdMs - 2000) / 100) * 100);
    const m = await measure(o.root, g, target, { warmupMs: o.rampMs + 1000, windowMs, timeoutMs: o.rampMs + o.holdMs + 60_000 });
    const rep = m.report;
    const done = rep?.journeys?.reduce((a, j) => a + j.completed, 0) ?? NaN;
    const failed = rep?.journeys?.reduce((a, j) => a + j.failed, 0) ?? NaN;
    // Every VU has a request in flight: the rate the target sees is vus / delay.
    const expected = (o.vus * 1000) / o.delayMs;
    o.log(`  peak RSS ${mib(m.peakRssBytes)}, ${num(m.rps)} req/s (expected ≈ ${num(expected)}), completed ${num(done)}, failed ${num(failed)}, CPU ${num(m.cpuShare * 100)} %`);
    const ok = m.peakRssBytes > 0 && m.peakRssBytes < MEMORY_GOAL_BYTES;
    const markdown = [
      `### Memory: ${num(o.vus)} concurrent VUs (closed model), target answering after ${o.delayMs} ms`,
      '',
      table(
        ['VUs', 'peak RSS', 'per VU', 'requests/s (all VUs busy ≈)', 'iterations completed / failed', 'CPU', 'p99 ms'],
        [[num(o.vus), mib(m.peakRssBytes), `${num(m.peakRssBytes / o.vus / 1024, 1)} KiB`, `${num(m.rps)} (${num(expected)})`, `${num(done)} / ${num(failed)}`, `${num(m.cpuShare * 100)} %`, num(m.p99Ms, 1)]],
      ),
      '',
      `Peak RSS ${mib(m.peakRssBytes)} (goal < 1 GiB ${mark(ok)}).`,
    ].join('\n');
    return { markdown, data: { vus: o.vus, delayMs: o.delayMs, m, expected } };
  } finally {
    await target.stop();
  }
}

/**
 * Start-up: from spawning `node bin/rampart.js run small.yaml` to the first request at the
 * target, `reps` times (the scenario is loaded, validated and normalized on the way).
 */
export async function startupPart(o: { root: string; rampart: string; reps: number; log: (l: string) => void }): Promise<PartResult> {
  o.log(`start-up: ${o.reps} runs of a small scenario, with its warm-up and with warmUp: false`);
  const target = await startTarget({ cwd: o.root });
  const runs: { warm: number[]; cold: number[] } = { warm: [], cold: [] };
  try {
    for (let i = 0; i < 2 * o.reps; i++) {
      const kind = i % 2 === 0 ? 'warm' : 'cold';
      const g = rampartCommand(o.rampart, `rampart start-up (${kind})`, small(kind === 'warm'), target.url);
      await target.mark();
      const spawnedAt = epochMs();
      const proc = spawnBounded(g.cmd, g.args, { cpu: GENERATOR_CPU, cwd: o.root, timeoutMs: 30_000 });
      const exit = await proc.exited;
      const s = await target.stats(0, 0);
      g.cleanup?.();
      const ms = s.firstAt > 0 ? s.firstAt - spawnedAt : NaN;
      o.log(`  run ${i + 1} (${kind === 'warm' ? 'warm-up' : 'warmUp: false'}): first request after ${num(ms, 1)} ms (exit ${exit})`);
      if (exit !== 0) o.log(`  ${proc.err().slice(0, 500)}`);
      runs[kind].push(ms);
      await delay(200);
    }
  } finally {
    await target.stop();
  }
  const row = (label: string, samples: number[]): string[] => {
    const ok = samples.filter(Number.isFinite);
    return [label, num(median(samples), 0), num(Math.min(...ok), 0), num(Math.max(...ok), 0), samples.map((v) => num(v, 0)).join(', ')];
  };
  const cold = median(runs.cold);
  const warm = median(runs.warm);
  const markdown = [
    `### Start-up: the command to the first request (\`node ${join('bin', 'rampart.js')} run\`, a 1-VU scenario, ${o.reps} runs each)`,
    '',
    table(['run', 'median ms', 'min ms', 'max ms', 'runs'], [row('with its warm-up (default)', runs.warm), row('`warmUp: false`', runs.cold)]),
    '',
    `Median with \`warmUp: false\` ${num(cold, 0)} ms (goal < ${STARTUP_GOAL_MS} ms ${mark(cold < STARTUP_GOAL_MS)}); the default warm-up adds ${num(warm - cold, 0)} ms before the first request — the cold code it runs first is paid there instead of in the run's first requests.`,
  ].join('\n');
  return { markdown, data: { runs, median: cold, medianWarm: warm } };
}
