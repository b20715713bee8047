/**
 * `--workers 1` vs `--workers 2`: requests per second rampart drives against a target on the SAME
 * machine. Honest about what it measures: the target (bench/target-server.ts, a Node hello world)
 * and rampart share this machine's cores, unpinned, so a second worker thread competes with the
 * target for CPU — this is exactly why `--workers` defaults to 1 against a loopback target. Against
 * a remote target the generator has the cores to itself; this benchmark does not show that case.
 *
 *   npm run build && node --import tsx bench/workers/run.ts [--rounds 3] [--seconds 10] [--vus 64]
 *
 * The load is a closed model (VUs looping GET / without think time: the most the generator can
 * drive). Requests are counted by the target in 100 ms buckets, over a window that starts 2 s after
 * the first request and ends 1 s before the planned end. Rounds alternate 1, 2, 1, 2, … so drift
 * in the machine's load hits both sides. Results: stdout and bench/results/workers-<time>.md/.json.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuUs, delay, epochMs, spawnBounded } from '../lib/proc.js';
import { median } from '../lib/stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = fileURLToPath(new URL('../target-server.ts', import.meta.url));
const BIN = join(ROOT, 'bin', 'rampart.js');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

interface Stats {
  total: number;
  firstAt: number;
  windows: number[];
}

/** The target, unpinned: it shares the cores with rampart as a local service would. */
async function startTarget(): Promise<{ url: string; ask(m: object): Promise<Stats>; stop(): Promise<void> }> {
  // From the project root, where `--import tsx` resolves.
  const proc = spawnBounded(process.execPath, ['--import', 'tsx', SERVER], { cwd: ROOT, timeoutMs: 20 * 60_000, ipc: true });
  const child = proc.child;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', () => reject(new Error(`the target exited: ${proc.err()}`)));
    child.once('message', (m: { port?: number }) => resolve(m.port ?? 0));
  });
  const ask = (m: object): Promise<Stats> =>
    new Promise((resolve) => {
      child.once('message', (s: Stats) => resolve(s));
      child.send(m);
    });
  return {
    url: `http://127.0.0.1:${port}`,
    ask,
    async stop() {
      if (child.connected) child.send({ cmd: 'stop' });
      await Promise.race([proc.exited, delay(3000)]);
      child.kill('SIGKILL');
    },
  };
}

interface Round {
  readonly workers: number;
  readonly rps: number;
  /** rampart's CPU time (all threads) per second of the window, in cores. */
  readonly cpuCores: number;
  readonly exit: number | string;
}

async function round(workers: number, target: Awaited<ReturnType<typeof startTarget>>, dir: string, seconds: number, vus: number): Promise<Round> {
  const file = join(dir, 'scenario.yaml');
  await writeFile(
    file,
    `name: workers-bench
target: ${target.url}
http: { connections: ${vus} }
load:
  vus: ${vus}
  duration: ${seconds}s
journeys:
  - name: hello
    steps:
      - { name: hello, get: /, expect: { status: 200 } }
gracefulStop: 2s
`,
  );
  await target.ask({ cmd: 'mark' });
  const proc = spawnBounded(process.execPath, [BIN, 'run', file, '--workers', String(workers), '--quiet', '--out', join(dir, `r${workers}.json`)], { cwd: dir, timeoutMs: (seconds + 60) * 1000 });
  // Wait for the first request, then measure [first + 2 s, first + seconds − 1 s).
  let first = 0;
  for (let i = 0; i < 300 && first === 0; i++) {
    await delay(100);
    first = (await target.ask({ cmd: 'stats', fromMs: 0, toMs: 0 })).firstAt;
  }
  const from = Math.ceil((first + 2000) / 100) * 100;
  const to = Math.floor((first + (seconds - 1) * 1000) / 100) * 100;
  await delay(Math.max(0, from - epochMs()));
  const cpu0 = cpuUs(proc.pid);
  await delay(Math.max(0, to - epochMs()));
  const cpu1 = cpuUs(proc.pid);
  const exit = await proc.exited;
  const s = await target.ask({ cmd: 'stats', fromMs: from, toMs: to });
  const total = s.windows.reduce((a, b) => a + b, 0);
  const secs = (s.windows.length * 100) / 1000;
  return { workers, rps: secs > 0 ? total / secs : 0, cpuCores: (cpu1 - cpu0) / 1e6 / ((to - from) / 1000), exit };
}

async function main(): Promise<void> {
  const rounds = flag('--rounds', 3);
  const seconds = flag('--seconds', 10);
  const vus = flag('--vus', 64);
  const dir = await mkdtemp(join(tmpdir(), 'rampart-bench-workers-'));
  const target = await startTarget();
  const results: Round[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const w of [1, 2]) {
        process.stderr.write(`round ${r + 1}/${rounds}, --workers ${w} … `);
        const res = await round(w, target, dir, seconds, vus);
        process.stderr.write(`${Math.round(res.rps)} req/s (exit ${res.exit})\n`);
        results.push(res);
      }
    }
  } finally {
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const of = (w: number): Round[] => results.filter((x) => x.workers === w);
  const row = (w: number): string => {
    const rs = of(w);
    return `| ${w} | ${Math.round(median(rs.map((x) => x.rps)))} | ${rs.map((x) => Math.round(x.rps)).join(', ')} | ${median(rs.map((x) => x.cpuCores)).toFixed(2)} |`;
  };
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  const md = [
    `# --workers 1 vs 2, target on the same machine`,
    '',
    `${availableParallelism()} cores (${cpu}), Node ${process.version}; closed model, ${vus} VUs looping GET / for ${seconds} s;`,
    `target: bench/target-server.ts (Node http hello world) on 127.0.0.1, unpinned — it shares the cores with rampart.`,
    `Requests counted by the target over [first request + 2 s, planned end − 1 s). Load average when done: ${load}`,
    `(other processes on the machine take CPU too: compare the two rows of one run, not runs of different days).`,
    '',
    '| workers | median req/s | rounds | rampart CPU (cores) |',
    '| --- | --- | --- | --- |',
    row(1),
    row(2),
    '',
    `On this machine the target and the generator compete for the same ${availableParallelism()} cores: a second worker thread`,
    `takes CPU from the server under test. That is what this table shows, not the generator's capacity against a remote target.`,
    '',
  ].join('\n');
  process.stdout.write(md);
  const out = join(ROOT, 'bench', 'results');
  await mkdir(out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  await writeFile(join(out, `workers-${stamp}.md`), md);
  await writeFile(join(out, `workers-${stamp}.json`), JSON.stringify({ rounds: results, seconds, vus, cores: availableParallelism(), cpu, node: process.version }, null, 2));
}

void main();
