/**
 * Small runs, the CI smoke runs that gate releases: a 2-VU, 10-iteration scenario against a target
 * answering after 1 ms, run again and again with `--baseline` on the previous run's report at the
 * default tolerances. Two figures: the small runs' p95 against the same endpoint's p95 in a long
 * steady run (the cold start must not show in it), and how many identical runs the baseline gate
 * fails (it must fail none).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATOR_CPU, type RampartReport } from './generators.js';
import { mark, num, table } from './format.js';
import { delay, spawnBounded } from './proc.js';
import { median } from './stats.js';
import { checkedGet } from './scenarios.js';
import { startTarget } from './target.js';
import type { PartResult } from './closed-parts.js';

/** Goal: a small run's p95 within this factor of the steady run's. */
export const SMOKE_P95_GOAL = 2;

/** p95 (ms) of the run's http.latency series with the most samples. */
function p95Of(file: string): number {
  const r = JSON.parse(readFileSync(file, 'utf8')) as RampartReport & { series: readonly { metric: string; count: number; p95?: number }[] };
  const lat = [...r.series].filter((s) => s.metric === 'http.latency').sort((a, b) => b.count - a.count)[0];
  return lat?.p95 ?? NaN;
}

/** The generator's own stalls in a report: event-loop lag max and the longest GC pause, ms. */
function generatorOf(file: string): { lagMaxMs: number; gcMaxMs: number } {
  const r = JSON.parse(readFileSync(file, 'utf8')) as RampartReport;
  return { lagMaxMs: r.generator.eventLoopLagMaxMs, gcMaxMs: r.generator.gc?.maxMs ?? NaN };
}

export async function smokePart(o: { root: string; rampart: string; runs: number; steadyS: number; log: (l: string) => void }): Promise<PartResult> {
  o.log(`smoke: ${o.runs} runs of 2 VUs × 10 iterations against a 1 ms target, each with --baseline on the previous one; a ${o.steadyS} s steady run`);
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-smoke-'));
  const target = await startTarget({ cwd: o.root, delayMs: 1 });
  const run = async (name: string, load: string, extra: readonly string[]): Promise<{ exit: number | string; out: string }> => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, checkedGet({ name: 'bench-smoke', load }));
    const args = [join(o.rampart, 'bin/rampart.js'), 'run', file, '--target', target.url, '--quiet', '--out', join(dir, `${name}.json`), ...extra];
    const p = spawnBounded(process.execPath, args, { cpu: GENERATOR_CPU, cwd: dir, timeoutMs: 120_000 });
    const exit = await p.exited;
    return { exit, out: p.out() + p.err() };
  };
  try {
    const steady = await run('steady', `{ vus: 2, duration: ${o.steadyS}s }`, []);
    const steadyP95 = p95Of(join(dir, 'steady.json'));
    o.log(`  steady: p95 ${num(steadyP95, 2)} ms (exit ${steady.exit})`);
    const p95s: number[] = [];
    let falseRegressions = 0;
    let noted = 0;
    for (let i = 0; i < o.runs; i++) {
      const extra = i > 0 ? ['--baseline', join(dir, `small-${i - 1}.json`)] : [];
      const r = await run(`small-${i}`, '{ vus: 2, iterations: 20 }', extra);
      const p95 = p95Of(join(dir, `small-${i}.json`));
      p95s.push(p95);
      const regressed = i > 0 && r.exit === 1 && r.out.includes('regression');
      if (regressed) falseRegressions++;
      if (r.out.includes('within the noise')) noted++;
      o.log(`  small run ${i + 1}: p95 ${num(p95, 2)} ms, exit ${r.exit}${regressed ? ' (baseline regression)' : ''}`);
      if (r.exit !== 0 && !regressed) o.log(`  ${r.out.slice(-500)}`);
      // What the gate saw, and how still the generator was, so a false alarm can be read.
      if (regressed) {
        const g = generatorOf(join(dir, `small-${i}.json`));
        for (const l of r.out.split('\n').filter((x) => x.includes('✗ '))) o.log(`    ${l.trim()}`);
        o.log(`    generator: event-loop lag max ${num(g.lagMaxMs, 1)} ms, GC max ${num(g.gcMaxMs, 1)} ms`);
      }
      await delay(100);
    }
    const worst = Math.max(...p95s.filter(Number.isFinite));
    const ratio = median(p95s) / steadyP95;
    const compared = o.runs - 1;
    const markdown = [
      `### Small runs: 2 VUs × 10 iterations each against a 1 ms target, ${o.runs} runs, each with \`--baseline\` on the one before`,
      '',
      table(
        ['steady p95 ms', 'small-run p95 ms (median)', 'worst', 'median ÷ steady', 'baseline regressions', 'rises within the noise'],
        [[num(steadyP95, 2), num(median(p95s), 2), num(worst, 2), num(ratio, 2), `${falseRegressions} of ${compared}`, `${noted} of ${compared}`]],
      ),
      '',
      `Small-run p95 ${num(ratio, 2)}× the steady p95 (goal ≤ ${SMOKE_P95_GOAL}× ${mark(ratio <= SMOKE_P95_GOAL)}); ` +
        `identical runs failed by the baseline gate: ${falseRegressions} of ${compared} (goal 0 ${mark(falseRegressions === 0)}).`,
    ].join('\n');
    return { markdown, data: { steadyP95, p95s, falseRegressions, withinNoise: noted } };
  } finally {
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
