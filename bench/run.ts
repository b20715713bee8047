/**
 * rampart's performance benchmark (`npm run bench`): starts its own target on 127.0.0.1 (pinned to
 * CPU 0), runs rampart and its peers pinned to CPU 1 — alternating, several rounds — and prints
 * Markdown tables: requests/s, CPU per request, p50/p99 and ratios to autocannon (closed loop);
 * achieved vs planned arrivals and their per-100-ms variation (open model); coordinated omission;
 * the cost of a 3-step journey; memory with 10,000 VUs; start-up time; small runs and the baseline
 * gate; 1,000 VUs waiting on a Kafka `consume` step (needs a broker: KAFKA_BROKERS). Results go to
 * bench/results/.
 *
 *   node --import tsx bench/run.ts [--quick] [--only closed,arrival,latency,smooth,max,omission,journey,vus,memory,startup,smoke,kafka]
 *                                  [--rounds N] [--no-build] [--rampart DIR] [--baseline DIR] [--no-peers]
 *
 * --rampart DIR runs another checkout's build (its bin/rampart.js over dist/); --baseline DIR adds a
 * second rampart build to the closed-loop part, alternating with the first (before/after a change);
 * --no-peers leaves autocannon, undici and wrk out of that part.
 *
 * Every run is bounded in time and sends load only to 127.0.0.1. See bench/README.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedLoopPart, journeyCostPart, type PartContext, type PartResult } from './lib/closed-parts.js';
import { arrivalCostPart, latencyTruthPart, maxRatePart, omissionPart, smoothnessPart } from './lib/open-parts.js';
import { memoryPart, startupPart } from './lib/system-parts.js';
import { smokePart } from './lib/smoke-parts.js';
import { manyVusPart } from './lib/vus-part.js';
import { kafkaConsumePart } from './lib/kafka-part.js';
import { hasWrk } from './lib/generators.js';
import { hasTaskset } from './lib/proc.js';
import { startTarget } from './lib/target.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PARTS = ['closed', 'arrival', 'latency', 'smooth', 'max', 'omission', 'journey', 'vus', 'memory', 'startup', 'smoke', 'kafka'] as const;
type Part = (typeof PARTS)[number];

interface Settings {
  readonly quick: boolean;
  readonly rounds: number;
  readonly only: ReadonlySet<Part>;
  readonly build: boolean;
  readonly rampart: string;
  readonly baseline?: string;
  readonly noPeers: boolean;
}

function dirFlag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const dir = resolve(argv[i + 1] ?? '');
  if (!existsSync(join(dir, 'bin/rampart.js'))) throw new Error(`${name}: no bin/rampart.js in ${dir}`);
  return dir;
}

function parseArgs(argv: readonly string[]): Settings {
  const quick = argv.includes('--quick');
  const i = argv.indexOf('--only');
  const only = i >= 0 ? (argv[i + 1] ?? '').split(',').filter(Boolean) : [...PARTS];
  for (const p of only) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only: unknown part "${p}" (one of ${PARTS.join(', ')})`);
  const r = argv.indexOf('--rounds');
  const rounds = r >= 0 ? Number(argv[r + 1]) : quick ? 1 : 3;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error('--rounds expects 1 … 20');
  const baseline = dirFlag(argv, '--baseline');
  return { quick, rounds, only: new Set(only as Part[]), build: !argv.includes('--no-build'), noPeers: argv.includes('--no-peers'), rampart: dirFlag(argv, '--rampart') ?? ROOT, ...(baseline !== undefined ? { baseline } : {}) };
}

/** Newest modification time under a folder (ms). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * rampart runs as users run it: bin/rampart.js over dist/ (and dist/bundle/, which scripts/bundle.mjs
 * makes from it, in builds that have that script). Builds both when src/ is newer.
 */
function ensureBuilt(dir: string, log: (l: string) => void): void {
  const bundler = join(dir, 'scripts/bundle.mjs');
  const bundled = existsSync(bundler);
  const main = join(dir, bundled ? 'dist/bundle/main.js' : 'dist/src/cli/main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newest(join(dir, 'src'))) return;
  log(`building ${join(dir, 'dist')} (tsc -p tsconfig.build.json${bundled ? ', then scripts/bundle.mjs' : ''}) …`);
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) {
    if (!existsSync(join(dir, 'dist/src/cli/main.js'))) throw new Error(`the build failed:\n${r.stdout}${r.stderr}`);
    log(`warning: tsc reported errors (files were still emitted):\n${r.stdout.split('\n').slice(0, 10).join('\n')}`);
  }
  if (!bundled) return;
  const b = spawnSync(process.execPath, [bundler], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  if (b.status !== 0) throw new Error(`bundling failed:\n${b.stdout}${b.stderr}`);
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a checkout
  }
  return `${hostname()} — ${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${process.platform}-${process.arch}, commit ${commit}`;
}

async function main(argv: readonly string[]): Promise<void> {
  const s = parseArgs(argv);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  if (s.build) for (const dir of new Set([s.rampart, ...(s.baseline !== undefined ? [s.baseline] : [])])) ensureBuilt(dir, log);
  const started = new Date();
  const header = [
    `## rampart benchmark — ${started.toISOString()}${s.quick ? ' (quick)' : ''}`,
    '',
    `Machine: ${machine()}.`,
    ...(s.rampart !== ROOT ? [`rampart: ${s.rampart}.`] : []),
    ...(s.baseline !== undefined ? [`Baseline: ${s.baseline}.`] : []),
    `Target: Node \`http\` hello world on 127.0.0.1${hasTaskset() ? ', pinned to CPU 0; generators pinned to CPU 1 (taskset)' : ' (taskset missing: nothing pinned)'}. ` +
      `Requests are counted at the target in 100 ms buckets; generator CPU is user + system time of its process (/proc) over the same window.` +
      (hasWrk() ? '' : ' wrk: not installed.'),
  ].join('\n');
  log(header);
  const q = s.quick;
  const sections: PartResult[] = [];
  const target = await startTarget({ cwd: ROOT });
  const ctx = (runMs: number, warmupMs: number): PartContext => ({
    root: ROOT,
    rampart: s.rampart,
    ...(s.baseline !== undefined ? { baseline: s.baseline } : {}),
    noPeers: s.noPeers,
    target,
    rounds: s.rounds,
    runMs,
    window: { warmupMs, windowMs: Math.floor((runMs - warmupMs - 1000) / 100) * 100, timeoutMs: runMs + 60_000 },
    log,
  });
  const timed = async (name: string, f: () => Promise<PartResult>): Promise<void> => {
    const t0 = Date.now();
    try {
      sections.push(await f());
    } catch (err) {
      log(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      sections.push({ markdown: `### ${name}\n\nFailed: ${err instanceof Error ? err.message : String(err)}`, data: { error: String(err) } });
    }
    log(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  };
  try {
    if (s.only.has('closed')) await timed('closed loop', () => closedLoopPart(ctx(q ? 5000 : 10_000, q ? 1500 : 2000)));
    if (s.only.has('journey')) await timed('3-step journey', () => journeyCostPart(ctx(q ? 5000 : 8000, 1500)));
    if (s.only.has('arrival')) await timed('CPU per arrival', () => arrivalCostPart(ctx(q ? 6000 : 8000, 2000), [5000, 10_000]));
    if (s.only.has('latency')) await timed('latency truth', () => latencyTruthPart(ctx(q ? 6000 : 10_000, 1500), [2000, 5000]));
    if (s.only.has('smooth')) await timed('smoothness', () => smoothnessPart(ctx(q ? 5000 : 8000, 1500), 5000));
    if (s.only.has('max')) {
      const rates = q ? [8000, 11_000, 16_000] : [6000, 8000, 11_000, 14_000, 17_000, 20_000, 24_000, 28_000, 32_000, 36_000, 40_000];
      // The window starts 2 s into the load: the steady state, after connections opened and code warmed up.
      await timed('highest open rate', () => maxRatePart({ ...ctx(q ? 5000 : 8000, 2000), rounds: 1 }, rates));
    }
    if (s.only.has('omission')) await timed('coordinated omission', () => omissionPart({ ...ctx(q ? 4000 : 5000, 1000), rounds: 1 }, 100_000));
    if (s.only.has('vus')) await timed('many VUs', () => manyVusPart({ ...ctx(q ? 4000 : 6000, 1500), rounds: 1 }, 10_000, q ? 3000 : 5000, q ? 5000 : 8000));
  } finally {
    await target.stop();
  }
  if (s.only.has('memory')) await timed('memory', () => memoryPart({ root: ROOT, rampart: s.rampart, vus: 10_000, delayMs: 1000, rampMs: q ? 3000 : 5000, holdMs: q ? 4000 : 10_000, log }));
  if (s.only.has('startup')) await timed('start-up', () => startupPart({ root: ROOT, rampart: s.rampart, reps: q ? 3 : 7, log }));
  if (s.only.has('smoke')) await timed('small runs', () => smokePart({ root: ROOT, rampart: s.rampart, runs: q ? 6 : 21, steadyS: q ? 5 : 10, log }));
  if (s.only.has('kafka')) await timed('kafka consume', () => kafkaConsumePart({ root: ROOT, rampart: s.rampart, vus: 1000, rate: 500, durationS: q ? 8 : 15, log }));

  const md = [header, ...sections.map((p) => p.markdown)].join('\n\n') + '\n';
  process.stdout.write(`\n${md}`);
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(dir, `${stamp}${q ? '-quick' : ''}.md`), md);
  writeFileSync(join(dir, `${stamp}${q ? '-quick' : ''}.json`), `${JSON.stringify({ settings: { ...s, only: [...s.only] }, machine: machine(), sections: sections.map((p) => p.data) }, null, 1)}\n`);
  log(`results: bench/results/${stamp}${q ? '-quick' : ''}.{md,json}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
