/**
 * Closed-loop parts of the benchmark: rampart against autocannon (and wrk) at 50 connections, and
 * the 3-step journey against a plain GET. Generators alternate within every round; figures are
 * medians over rounds, ratios are medians of the per-round ratios.
 */
import { autocannonCommand, hasWrk, measure, rampartCommand, undiciCommand, wrkCommand, type GeneratorCommand, type Measurement, type WindowPlan } from './generators.js';
import { mark, num, table, times } from './format.js';
import { median, ratio } from './stats.js';
import { closedGet, closedThreeStep } from './scenarios.js';
import type { Target } from './target.js';

export interface PartContext {
  /** This checkout (autocannon, the target). */
  readonly root: string;
  /** The rampart checkout to run (its bin/rampart.js over dist/); usually `root`. */
  readonly rampart: string;
  /** Another rampart checkout to compare against in the closed-loop part (`--baseline DIR`). */
  readonly baseline?: string;
  /** Leave autocannon, undici and wrk out of the closed-loop part (a quicker before/after). */
  readonly noPeers?: boolean;
  readonly target: Target;
  readonly rounds: number;
  /** Generator run length, ms. */
  readonly runMs: number;
  readonly window: WindowPlan;
  readonly log: (line: string) => void;
}

export interface PartResult {
  /** Markdown section (heading, table, verdict lines). */
  readonly markdown: string;
  /** Everything measured, for the JSON result file. */
  readonly data: unknown;
}

const CONNECTIONS = 50;

function logLine(log: (l: string) => void, m: Measurement): void {
  log(`  ${m.generator.padEnd(22)} ${num(m.rps).padStart(8)} req/s  ${num(m.cpuPerRequestUs, 1).padStart(6)} µs CPU/req  CPU ${num(m.cpuShare * 100)} %  p50 ${num(m.p50Ms, 2)} ms  p99 ${num(m.p99Ms, 2)} ms  exit ${m.exit}`);
}

function row(name: string, ms: readonly Measurement[]): string[] {
  return [
    name,
    num(median(ms.map((m) => m.rps))),
    num(median(ms.map((m) => m.cpuPerRequestUs)), 1),
    `${num(median(ms.map((m) => m.cpuShare * 100)))} %`,
    num(median(ms.map((m) => m.p50Ms)), 2),
    num(median(ms.map((m) => m.p99Ms)), 2),
  ];
}

/** Closed loop, 50 keep-alive connections, one GET per iteration: rampart vs autocannon (vs wrk). */
export async function closedLoopPart(ctx: PartContext): Promise<PartResult> {
  const durationS = Math.ceil(ctx.runMs / 1000);
  const peers = ctx.noPeers === true ? [] : ['autocannon', 'undici', ...(hasWrk() ? ['wrk'] : [])];
  const kinds = ['rampart', ...(ctx.baseline !== undefined ? ['baseline'] : []), ...peers];
  const scenario = closedGet({ vus: CONNECTIONS, connections: CONNECTIONS, durationMs: durationS * 1000 });
  const load = { connections: CONNECTIONS, durationS };
  const command = (k: string): GeneratorCommand => {
    switch (k) {
      case 'rampart':
        return rampartCommand(ctx.rampart, 'rampart', scenario, ctx.target.url);
      case 'baseline':
        return rampartCommand(ctx.baseline ?? ctx.rampart, 'rampart (baseline)', scenario, ctx.target.url);
      case 'autocannon':
        return autocannonCommand(ctx.root, load, ctx.target.url);
      case 'undici':
        return undiciCommand(ctx.root, load, ctx.target.url);
      default:
        return wrkCommand(load, ctx.target.url);
    }
  };
  const by = new Map<string, Measurement[]>(kinds.map((k) => [k, []]));
  ctx.log(`closed loop: ${CONNECTIONS} connections, ${ctx.rounds} round(s) of ${durationS} s per generator`);
  for (let r = 0; r < ctx.rounds; r++) {
    // Alternate the order each round so neither generator always runs on a warmer machine.
    const order = r % 2 === 0 ? kinds : [...kinds].reverse();
    for (const k of order) {
      const g = command(k);
      const m = await measure(ctx.root, g, ctx.target, ctx.window);
      logLine(ctx.log, m);
      by.get(k)?.push(m);
    }
  }
  const rampart = by.get('rampart') ?? [];
  const autocannon = by.get('autocannon') ?? [];
  const perRound = rampart.map((m, i) => ({
    rps: ratio(m.rps, autocannon[i]?.rps ?? NaN),
    cpu: ratio(m.cpuPerRequestUs, autocannon[i]?.cpuPerRequestUs ?? NaN),
  }));
  const rpsRatio = median(perRound.map((p) => p.rps));
  const cpuRatio = median(perRound.map((p) => p.cpu));
  const undici = by.get('undici') ?? [];
  const vsUndici = rampart.map((m, i) => ratio(m.cpuPerRequestUs, undici[i]?.cpuPerRequestUs ?? NaN));
  const undiciVsAutocannon = undici.map((m, i) => ratio(m.cpuPerRequestUs, autocannon[i]?.cpuPerRequestUs ?? NaN));
  const baseline = by.get('baseline') ?? [];
  const vsBaseline = rampart.map((m, i) => ratio(m.cpuPerRequestUs, baseline[i]?.cpuPerRequestUs ?? NaN));
  const rows = kinds.map((k) => row(k, by.get(k) ?? []));
  const markdown = [
    `### Closed loop: ${CONNECTIONS} keep-alive connections, one GET (${ctx.rounds} rounds, ${durationS} s each, medians)`,
    '',
    table(['generator', 'requests/s', 'CPU µs/request', 'CPU', 'p50 ms', 'p99 ms'], rows),
    '',
    `rampart ÷ autocannon: requests/s **${times(rpsRatio)}** (goal ≥ 1.00× ${mark(rpsRatio >= 1)}), ` +
      `CPU per request **${times(cpuRatio)}** (goal ≤ 1.00× ${mark(cpuRatio <= 1)}); per round: ${perRound.map((p) => `${times(p.rps)}/${times(p.cpu)}`).join(', ')}`,
    `\nCPU per request, rampart ÷ a bare undici dispatch loop (the HTTP library rampart is built on): **${times(median(vsUndici))}**; ` +
      `undici ÷ autocannon: ${times(median(undiciVsAutocannon))}.`,
    ...(baseline.length > 0 ? [`\nrampart ÷ baseline (${ctx.baseline}): CPU per request **${times(median(vsBaseline))}**; per round: ${vsBaseline.map((x) => times(x)).join(', ')}`] : []),
    hasWrk() || ctx.noPeers === true ? '' : '\nwrk is not installed here: its row is left out.',
  ].join('\n');
  return { markdown, data: { rounds: Object.fromEntries(by), rpsRatio, cpuRatio, perRound, vsBaseline, vsUndici, undiciVsAutocannon } };
}

/** The 3-step journey (JSON captures, templated URL and body, expectations) against a plain GET. */
export async function journeyCostPart(ctx: PartContext): Promise<PartResult> {
  const durationMs = Math.ceil(ctx.runMs / 1000) * 1000;
  const opts = { vus: CONNECTIONS, connections: CONNECTIONS, durationMs };
  const plain: Measurement[] = [];
  const three: Measurement[] = [];
  ctx.log(`3-step journey vs plain GET: ${ctx.rounds} round(s)`);
  for (let r = 0; r < ctx.rounds; r++) {
    const order = r % 2 === 0 ? ['get', '3-step'] : ['3-step', 'get'];
    for (const k of order) {
      const g = k === 'get' ? rampartCommand(ctx.rampart, 'rampart GET', closedGet(opts), ctx.target.url) : rampartCommand(ctx.rampart, 'rampart 3-step', closedThreeStep(opts), ctx.target.url);
      const m = await measure(ctx.root, g, ctx.target, ctx.window);
      logLine(ctx.log, m);
      (k === 'get' ? plain : three).push(m);
    }
  }
  const perRound = three.map((m, i) => ratio(m.cpuPerRequestUs, plain[i]?.cpuPerRequestUs ?? NaN));
  const cost = median(perRound);
  const failures = three.map((m) => m.report?.journeys?.reduce((a, j) => a + j.failed, 0) ?? NaN);
  const markdown = [
    `### A 3-step journey (JSON captures, templated URL and body) against a plain GET (${ctx.rounds} rounds, medians)`,
    '',
    table(['journey', 'requests/s', 'CPU µs/request', 'CPU', 'p50 ms', 'p99 ms'], [row('plain GET', plain), row('3-step', three)]),
    '',
    `CPU per request, 3-step ÷ GET: **${times(cost)}** (goal ≤ 1.50× ${mark(cost <= 1.5)}); failed 3-step iterations: ${failures.map((f) => num(f)).join(', ')}`,
  ].join('\n');
  return { markdown, data: { plain, three, perRound, cost, failures } };
}
