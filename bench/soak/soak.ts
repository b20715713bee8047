/**
 * Soak: `rampart run` at a steady open-model rate against a local target for a long time, sampling
 * the generator's RSS and event-loop delay every second. Not a test; run it with
 *
 *   npx tsx bench/soak/soak.ts [--minutes 10] [--rate 200] [--warmup-s 60] [--json FILE]
 *
 * The run is driven in-process through the CLI's `main()` (so the figures are rampart's own process),
 * the target is bench/target-server.ts in a child process (pinned to CPU 0 when taskset exists).
 * It prints RSS growth after the warm-up, the event-loop delay p99/max, and the achieved rate
 * against the planned one (counted by the target, and by the report).
 * Goals: RSS flat within 50 MB after warm-up, achieved rate within 1 % of the plan.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import type { Report } from '../../src/report/model.js';
import { startTarget } from '../lib/target.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
function argText(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const minutes = arg('--minutes', 10);
const rate = arg('--rate', 200);
const warmupS = arg('--warmup-s', 60);
const jsonOut = argText('--json');
const durationS = Math.round(minutes * 60);

/** The last `keep` characters written: enough for the summary, bounded for a long run. */
class Tail extends Writable {
  text = '';
  constructor(private readonly keep = 20_000) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text = (this.text + chunk.toString()).slice(-this.keep);
    cb();
  }
}

interface Sample {
  readonly t: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
}

const quantile = (xs: readonly number[], q: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const median = (xs: readonly number[]): number => quantile(xs, 0.5);
/** monitorEventLoopDelay records the time between its timer's runs: the resolution is subtracted. */
const LAG_RESOLUTION_MS = 10;
const lagMs = (ns: number): number => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
const mb = (b: number): number => Math.round((b / 1048576) * 10) / 10;

async function soak(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-soak-'));
  const target = await startTarget({ cwd: process.cwd(), timeoutMs: (durationS + 300) * 1000 });
  const file = join(dir, 'soak.yaml');
  const out = join(dir, 'report.json');
  await writeFile(
    file,
    [
      'name: soak',
      `target: ${target.url}`,
      'http: { timeout: 5s, connections: 32 }',
      'load:',
      `  phases: [{ name: steady, duration: ${durationS}s, rate: ${rate} }]`,
      '  maxVus: 2000',
      'journeys:',
      '  - name: browse',
      '    steps:',
      '      - name: list',
      '        get: /api/items',
      '        expect: { status: 200 }',
      '        capture: { token: { json: $.token } }',
      '      - name: item',
      '        get: "/api/items/{{ random.int(1, 1000) }}"',
      '        headers: { x-token: "{{ token }}" }',
      '        check: { priced: { json: $.price, gt: 0 } }',
      'thresholds:',
      '  http.errors: ["rate < 1%"]',
      '',
    ].join('\n'),
  );

  const stdout = new Tail();
  const stderr = new Tail();
  const io: CliIo = { stdout, stderr, env: {}, cwd: dir, signals: new EventEmitter() };
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const whole = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();
  const samples: Sample[] = [];
  const t0 = Date.now();
  let wholeOn = false;
  const sampler = setInterval(() => {
    const t = Math.round((Date.now() - t0) / 1000);
    const m = process.memoryUsage();
    samples.push({ t, rssMb: mb(m.rss), heapMb: mb(m.heapUsed), lagP99Ms: lagMs(lag.percentile(99)), lagMaxMs: lagMs(lag.max) });
    lag.reset();
    if (!wholeOn && t >= warmupS) {
      whole.enable();
      wholeOn = true;
    }
    if (t % 60 === 0) {
      const s = samples[samples.length - 1];
      if (s) process.stdout.write(`  t=${t}s rss=${s.rssMb} MB heap=${s.heapMb} MB lag p99=${s.lagP99Ms.toFixed(1)} ms\n`);
    }
  }, 1000);

  process.stdout.write(`soak: ${durationS}s at ${rate}/s against ${target.url} (warm-up ${warmupS}s), Node ${process.version}\n`);
  const code = await main(['run', file, '--quiet', '--out', out], io);
  clearInterval(sampler);
  lag.disable();
  whole.disable();

  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  const phase = report.phases.find((p) => p.name === 'steady');
  const startedAt = Date.parse(report.startedAt) + (phase?.startOffsetMs ?? 0);
  const stats = await target.stats(startedAt, startedAt + durationS * 1000 + 5000);
  await target.stop();

  const planned = rate * durationS;
  const started = report.journeys?.reduce((n, j) => n + j.started, 0) ?? 0;
  const listRequests = report.journeys?.flatMap((j) => j.steps).find((s) => s.name === 'list')?.requests ?? 0;
  const targetJourneys = stats.total / 2; // two requests per journey
  const after = samples.filter((s) => s.t >= warmupS);
  const base = median(after.slice(0, 10).map((s) => s.rssMb));
  const end = median(after.slice(-10).map((s) => s.rssMb));
  const peak = Math.max(...after.map((s) => s.rssMb));
  const figures = {
    node: process.version,
    durationS,
    rate,
    warmupS,
    exitCode: code,
    verdict: report.verdict,
    plannedJourneys: planned,
    startedJourneys: started,
    listRequestsInReport: listRequests,
    targetRequests: stats.total,
    achievedVsPlannedPct: Math.round((started / planned) * 10000) / 100,
    targetVsPlannedPct: Math.round((targetJourneys / planned) * 10000) / 100,
    dropped: report.generator.droppedArrivals,
    late: report.generator.lateArrivals,
    errors: report.series.filter((s) => s.metric === 'http.errors').reduce((n, s) => n + s.sum, 0),
    rssAfterWarmupMb: base,
    rssEndMb: end,
    rssGrowthMb: Math.round((end - base) * 10) / 10,
    rssPeakMb: peak,
    heapEndMb: after[after.length - 1]?.heapMb ?? 0,
    eventLoopDelayP99Ms: Math.round(lagMs(whole.percentile(99)) * 10) / 10,
    eventLoopDelayMaxMs: Math.round(lagMs(whole.max) * 10) / 10,
    eventLoopDelayP99OfSecondsMs: Math.round(quantile(after.map((s) => s.lagP99Ms), 0.99) * 10) / 10,
    reportLagP99Ms: report.generator.eventLoopLagP99Ms,
    overloaded: report.generator.overloaded,
    rssFlatWithin50Mb: Math.abs(end - base) <= 50,
    rateWithin1Pct: Math.abs(started / planned - 1) <= 0.01,
  };
  process.stdout.write(`\n${JSON.stringify(figures, null, 2)}\n`);
  if (jsonOut !== undefined) await writeFile(jsonOut, `${JSON.stringify({ figures, samples }, null, 1)}\n`);
  if (code !== 0) process.stdout.write(`rampart exited ${code}\n${stderr.text.slice(-2000)}\n${stdout.text.slice(-3000)}\n`);
  await rm(dir, { recursive: true, force: true });
}

await soak();
