/**
 * Open-model parts of the benchmark: arrival smoothness at a planned rate (rampart against
 * autocannon's `--overallRate`), the highest sustained arrival rate on one core, and the
 * coordinated-omission check (an overloaded generator must say so).
 */
import { autocannonCommand, measure, rampartCommand, socketCommand, undiciCommand, type Measurement } from './generators.js';
import { mark, num, pct, table, times } from './format.js';
import { achievedRate, byPlan, coefficientOfVariation, median, withinPlan } from './stats.js';
import { closedGet, openGet, pacedClosedGet } from './scenarios.js';
import type { PartContext, PartResult } from './closed-parts.js';

const CONNECTIONS = 50;
/**
 * GETs the bare undici open loop sends back to back before its load: as many as rampart's default
 * warm-up sends to its own server before this part's open loads (`generator.warmUp.internalRequests`).
 */
const FLOOR_WARM_GETS = 6000;
/** Artillery 2.0.21's pooled maximum on this machine kind (bench/README.md, perf anchors). */
export const ARTILLERY_POOLED_MAX = 2_200;

function lateShare(m: Measurement): number {
  const g = m.report?.generator;
  const started = m.report?.journeys?.reduce((a, j) => a + j.started, 0) ?? 0;
  return g !== undefined && started > 0 ? g.lateArrivals / started : NaN;
}

/** Seconds at the start of an open load that the steady state leaves out (connections opening, cold code). */
const START_S = 2;

/** Arrivals dropped after the first {@link START_S} seconds of the load (report timeline): the steady state. */
function droppedAfterStart(m: Measurement): number {
  const t = m.report?.timeline;
  if (t === undefined) return NaN;
  return t.filter((p) => p.t > START_S + 0.5).reduce((a, p) => a + p.dropped, 0);
}

function openLine(log: (l: string) => void, m: Measurement, rate: number): void {
  const g = m.report?.generator;
  log(
    `  ${m.generator.padEnd(22)} planned ${num(rate)}/s achieved ${num(achievedRate(m.windows))}/s  CV ${pct(coefficientOfVariation(m.windows))}  CPU ${num(m.cpuShare * 100)} %` +
      (g ? `  late ${num(g.lateArrivals)} dropped ${num(g.droppedArrivals)} lag p99 ${num(g.eventLoopLagP99Ms, 1)} ms${g.overloaded ? ' OVERLOADED' : ''}` : ''),
  );
}

/**
 * rampart's open model (one GET at `rate`/s) and autocannon `-R rate` against the same target,
 * alternating which goes first, `ctx.rounds` rounds; `each` sees every measurement as it comes.
 */
async function openBesideAutocannon(ctx: PartContext, rate: number, durationS: number, each: (m: Measurement) => void): Promise<{ r: Measurement[]; a: Measurement[] }> {
  const r: Measurement[] = [];
  const a: Measurement[] = [];
  for (let i = 0; i < ctx.rounds; i++) {
    const order = i % 2 === 0 ? ['rampart', 'autocannon'] : ['autocannon', 'rampart'];
    for (const k of order) {
      const g =
        k === 'rampart'
          ? rampartCommand(ctx.rampart, 'rampart open', openGet({ rate, durationMs: durationS * 1000, connections: CONNECTIONS, maxVus: 1000 }), ctx.target.url)
          : autocannonCommand(ctx.root, { connections: CONNECTIONS, durationS, rate }, ctx.target.url);
      const m = await measure(ctx.root, g, ctx.target, ctx.window);
      each(m);
      (k === 'rampart' ? r : a).push(m);
    }
  }
  return { r, a };
}

/** Requests per 100 ms at a planned 5,000/s: rampart's open model against autocannon -R. */
export async function smoothnessPart(ctx: PartContext, rate: number): Promise<PartResult> {
  const durationS = Math.ceil(ctx.runMs / 1000);
  ctx.log(`arrival smoothness at ${rate}/s: ${ctx.rounds} round(s)`);
  const { r, a } = await openBesideAutocannon(ctx, rate, durationS, (m) => openLine(ctx.log, m, rate));
  const row = (name: string, ms: readonly Measurement[]): string[] => [
    name,
    num(rate),
    num(median(ms.map((m) => achievedRate(m.windows)))),
    pct(median(ms.map((m) => coefficientOfVariation(m.windows)))),
    `${num(median(ms.map((m) => Math.min(...m.windows))))} – ${num(median(ms.map((m) => Math.max(...m.windows))))}`,
    num(median(ms.map((m) => m.cpuPerRequestUs)), 1),
    num(median(ms.map((m) => m.p99Ms)), 2),
  ];
  const cv = median(r.map((m) => coefficientOfVariation(m.windows)));
  const acv = median(a.map((m) => coefficientOfVariation(m.windows)));
  const overloaded = r.some((m) => m.report?.generator.overloaded === true);
  const markdown = [
    `### Open model: arrival smoothness at ${num(rate)}/s (${ctx.rounds} rounds, ${durationS} s each, medians)`,
    '',
    table(['generator', 'planned/s', 'achieved/s', 'CV per 100 ms', 'per 100 ms min – max', 'CPU µs/request', 'p99 ms'], [row('rampart (open model)', r), row('autocannon --overallRate', a)]),
    '',
    `rampart's requests per 100 ms at the target vary by **${pct(cv)}** (goal ≤ 10 % ${mark(cv <= 0.1)}); autocannon's by ${pct(acv)}. ` +
      `rampart flagged itself overloaded: ${overloaded ? 'yes (a false alarm at this rate)' : 'no'}.`,
  ].join('\n');
  return { markdown, data: { rate, rampart: r, autocannon: a, cv, autocannonCv: acv } };
}

/**
 * The highest planned rate rampart sustains on one core: rates climb until one misses — achieved
 * (at the target, steady window) off the plan by more than 1 %, arrivals dropped, or rampart
 * reporting itself overloaded.
 */
export async function maxRatePart(ctx: PartContext, rates: readonly number[]): Promise<PartResult> {
  const durationS = Math.ceil(ctx.runMs / 1000);
  const rows: string[][] = [];
  const runs: { rate: number; m: Measurement; ok: boolean }[] = [];
  let best = 0;
  ctx.log(`open model, highest sustained rate: ${rates.join(', ')}/s, ${durationS} s each`);
  for (const rate of rates) {
    const g = rampartCommand(ctx.rampart, `rampart ${rate}/s`, openGet({ rate, durationMs: durationS * 1000, connections: CONNECTIONS, maxVus: 1000 }), ctx.target.url);
    const m = await measure(ctx.root, g, ctx.target, ctx.window);
    openLine(ctx.log, m, rate);
    const achieved = achievedRate(m.windows);
    const gen = m.report?.generator;
    const steadyDrops = droppedAfterStart(m);
    const ok = withinPlan(achieved, rate) && gen !== undefined && steadyDrops === 0 && gen.eventLoopLagP99Ms <= 50;
    runs.push({ rate, m, ok });
    rows.push([
      num(rate),
      num(achieved),
      pct(achieved / rate - 1, 2),
      pct(coefficientOfVariation(m.windows)),
      `${num(m.cpuShare * 100)} %`,
      num(m.cpuPerRequestUs, 1),
      pct(lateShare(m), 2),
      `${num(gen?.droppedArrivals ?? NaN)} (${num(steadyDrops)})`,
      num(gen?.eventLoopLagP99Ms ?? NaN, 1),
      num(m.p99Ms, 2),
      mark(ok),
    ]);
    if (!ok) break;
    best = rate;
  }
  const vsArtillery = best / ARTILLERY_POOLED_MAX;
  const markdown = [
    `### Open model: highest sustained arrival rate on one core (${durationS} s per rate)`,
    '',
    table(['planned/s', 'achieved/s', 'off plan', 'CV per 100 ms', 'CPU', 'CPU µs/request', 'late', 'dropped (after 2 s)', 'lag p99 ms', 'p99 ms', 'sustained'], rows),
    '',
    `Highest sustained: **${num(best)}/s** = ${times(vsArtillery, 1)} Artillery's pooled maximum (${num(ARTILLERY_POOLED_MAX)}/s, measured on this machine kind; ` +
      `goal ≥ 5× ${mark(vsArtillery >= 5)}). Sustained = achieved within 1 % of plan at the target (steady window), no arrival dropped after the ` +
      `first ${START_S} s, event-loop lag p99 ≤ 50 ms. Late and dropped arrivals of the start (connections opening, code still cold) are counted in the columns.`,
  ].join('\n');
  return { markdown, data: { best, vsArtillery, runs } };
}

/**
 * Coordinated omission: far more arrivals than one core can start (and a maxVus the backlog
 * reaches). rampart must report late and dropped arrivals, event-loop lag and `overloaded`, and its
 * http.latency_scheduled must show the queueing that http.latency hides.
 */
export async function omissionPart(ctx: PartContext, rate: number): Promise<PartResult> {
  const durationS = Math.ceil(ctx.runMs / 1000);
  ctx.log(`coordinated omission: ${rate}/s planned, 50 connections, maxVus 2000`);
  const g = rampartCommand(ctx.rampart, 'rampart overload', openGet({ rate, durationMs: durationS * 1000, connections: 50, maxVus: 2000 }), ctx.target.url);
  const m = await measure(ctx.root, g, ctx.target, ctx.window);
  openLine(ctx.log, m, rate);
  const rep = m.report;
  const biggest = (metric: string): { p50: number; p99: number; count: number } | undefined =>
    rep?.series.filter((s) => s.metric === metric).sort((a, b) => b.count - a.count)[0];
  const lat = biggest('http.latency');
  const sched = biggest('http.latency_scheduled');
  const gen = rep?.generator;
  const warned = rep?.warnings.some((w) => /overloaded/.test(w)) === true;
  const checks: [string, boolean][] = [
    ['http.latency_scheduled recorded', sched !== undefined && sched.count > 0],
    ['scheduled p99 ≥ service p99 (the queueing shows)', sched !== undefined && lat !== undefined && sched.p99 >= lat.p99],
    ['late arrivals reported', (gen?.lateArrivals ?? 0) > 0],
    ['dropped arrivals reported (maxVus)', (gen?.droppedArrivals ?? 0) > 0],
    ['event-loop lag reported', (gen?.eventLoopLagMaxMs ?? 0) > 0],
    ['overloaded flag and warning', gen?.overloaded === true && warned],
  ];
  const markdown = [
    `### Coordinated omission: ${num(rate)}/s planned on one core (far beyond it), 50 connections, maxVus 2000`,
    '',
    table(
      ['achieved/s', 'http.latency p50 / p99 ms', 'http.latency_scheduled p50 / p99 ms', 'late', 'dropped', 'lag p99 / max ms', 'overloaded'],
      [[
        num(achievedRate(m.windows)),
        `${num(lat?.p50 ?? NaN, 2)} / ${num(lat?.p99 ?? NaN, 2)}`,
        `${num(sched?.p50 ?? NaN, 1)} / ${num(sched?.p99 ?? NaN, 1)}`,
        num(gen?.lateArrivals ?? NaN),
        num(gen?.droppedArrivals ?? NaN),
        `${num(gen?.eventLoopLagP99Ms ?? NaN, 1)} / ${num(gen?.eventLoopLagMaxMs ?? NaN, 1)}`,
        gen?.overloaded === true ? 'yes' : 'no',
      ]],
    ),
    '',
    ...checks.map(([what, ok]) => `- ${mark(ok)} ${what}`),
  ].join('\n');
  return { markdown, data: { rate, m, checks } };
}

/** The p99 (ms) of each whole second of rampart's timeline, in order (the last, partial second left out). */
function secondP99s(m: Measurement): number[] {
  const t = m.report?.timeline ?? [];
  return t.filter((p, i) => i < t.length - 1 && p.started > 0).map((p) => p.p99);
}

/**
 * Latency truth: at `rates`, for the whole run (every second, the first included), rampart's p99
 * against the p99 autocannon `-R` reports on the same target in the same round; and rampart's
 * first second against the median of its later seconds. A generator that measures itself shows up
 * as a whole-run p99 far above the peer's, or as a first second far above the rest.
 */
export async function latencyTruthPart(ctx: PartContext, rates: readonly number[]): Promise<PartResult> {
  const durationS = Math.ceil(ctx.runMs / 1000);
  const rows: string[][] = [];
  const data: { rate: number; rampart: Measurement[]; autocannon: Measurement[]; paced: Measurement[]; floor: Measurement[]; sockets: Measurement[]; ratio: number; firstRatio: number }[] = [];
  let ok = true;
  for (const rate of rates) {
    ctx.log(`latency truth at ${rate}/s: ${ctx.rounds} round(s), ${durationS} s each`);
    const { r, a } = await openBesideAutocannon(ctx, rate, durationS, (m) =>
      ctx.log(`  ${m.generator.padEnd(22)} whole-run p50 ${num(m.p50Ms, 2)} p99 ${num(m.p99Ms, 2)} ms${m.report !== undefined ? `  per second p99: ${secondP99s(m).map((x) => num(x, 1)).join(' ')}` : ''}`),
    );
    const ratios = r.map((m, i) => m.p99Ms / Math.max(1, a[i]?.p99Ms ?? NaN));
    const firsts = r.map((m) => {
      const s = secondP99s(m);
      return (s[0] ?? NaN) / Math.max(0.001, median(s.slice(1)));
    });
    const ratio = median(ratios);
    const firstRatio = median(firsts);
    // The same build's closed loop paced to about this rate: what a request costs when the loop is idle between requests as often.
    const paced: Measurement[] = [];
    for (let i = 0; i < ctx.rounds; i++) {
      const m = await measure(ctx.root, rampartCommand(ctx.rampart, 'rampart paced closed', pacedClosedGet({ rate, durationMs: durationS * 1000, connections: CONNECTIONS }), ctx.target.url), ctx.target, ctx.window);
      ctx.log(`  ${m.generator.padEnd(22)} ${num(achievedRate(m.windows))}/s, ${num(m.cpuPerRequestUs, 1)} µs CPU per request`);
      paced.push(m);
    }
    const openCpu = median(r.map((m) => m.cpuPerRequestUs));
    const pacedCpu = median(paced.map((m) => m.cpuPerRequestUs));
    // The same arrivals from a bare undici loop, warmed up on the target itself: how far any Node client's first second is from its later ones;
    // and written straight to sockets, no HTTP client: how far the first second of a loop with almost no code of its own is.
    const floor: Measurement[] = [];
    const sockets: Measurement[] = [];
    for (let i = 0; i < (ctx.noPeers === true ? 0 : ctx.rounds); i++) {
      for (const g of [undiciCommand(ctx.root, { connections: CONNECTIONS, durationS, rate, warm: FLOOR_WARM_GETS }, ctx.target.url), socketCommand(ctx.root, { connections: CONNECTIONS, durationS, rate }, ctx.target.url)]) {
        const m = await measure(ctx.root, g, ctx.target, ctx.window);
        ctx.log(`  ${m.generator.padEnd(22)} whole-run p50 ${num(m.p50Ms, 2)} p99 ${num(m.p99Ms, 2)} ms  per second p99: ${(m.secondP99Ms ?? []).map((x) => num(x, 1)).join(' ')}`);
        (g.name.startsWith('undici') ? floor : sockets).push(m);
      }
    }
    const firstOverLater = (m: Measurement): number => {
      const sec = m.secondP99Ms ?? [];
      return (sec[0] ?? NaN) / Math.max(0.001, median(sec.slice(1)));
    };
    const floorFirsts = floor.map(firstOverLater);
    const socketFirsts = sockets.map(firstOverLater);
    ok &&= ratio <= 2 && firstRatio <= 2;
    data.push({ rate, rampart: r, autocannon: a, paced, floor, sockets, ratio, firstRatio });
    rows.push([
      num(rate),
      `${num(median(r.map((m) => m.p50Ms)), 2)} / ${num(median(r.map((m) => m.p99Ms)), 2)}`,
      `${num(median(a.map((m) => m.p50Ms)), 2)} / ${num(median(a.map((m) => m.p99Ms)), 2)}`,
      `${times(ratio, 2)} ${mark(ratio <= 2)}`,
      `${num(median(r.map((m) => secondP99s(m)[0] ?? NaN)), 2)} / ${num(median(r.map((m) => median(secondP99s(m).slice(1)))), 2)}`,
      `${times(firstRatio, 2)} ${mark(firstRatio <= 2)}`,
      num(openCpu, 1),
      `${num(pacedCpu, 1)} at ${num(median(paced.map((m) => achievedRate(m.windows))))}/s (${times(openCpu / pacedCpu, 2)})`,
      `${num(median(r.map((m) => m.report?.generator.gc?.maxMs ?? NaN)), 1)}`,
      floor.length > 0 ? `${num(median(floor.map((m) => m.p99Ms)), 2)}; ${times(median(floorFirsts), 2)}` : '—',
      sockets.length > 0 ? `${num(median(sockets.map((m) => m.p99Ms)), 2)}; ${times(median(socketFirsts), 2)} (${socketFirsts.map((x) => times(x, 1)).join(', ')})` : '—',
    ]);
  }
  const markdown = [
    `### Open model: latency truth, whole run (${durationS} s per run, ${ctx.rounds} rounds, medians)`,
    '',
    table(
      ['planned/s', 'rampart p50 / p99 ms', 'autocannon -R p50 / p99 ms', 'p99 rampart ÷ autocannon (goal ≤ 2×)', 'rampart 1st s p99 / later s median p99 ms', '1st s ÷ later (goal ≤ 2×)', 'rampart CPU µs/arrival', 'closed loop paced to ≈ the rate: CPU µs/request (open ÷ it)', 'GC max pause ms', `bare undici open, warmed by ${num(FLOOR_WARM_GETS)} GETs: whole-run p99 ms; 1st s ÷ later`, 'socket writes open: whole-run p99 ms; 1st s ÷ later (each round)'],
      rows,
    ),
    '',
    `Whole run = every sample of the run, the first second included (rampart's http.latency of the report; autocannon's own histogram). ` +
      `autocannon paces -R in bursts per connection; rampart spaces arrivals evenly. Goals ${mark(ok)}. ` +
      `The paced closed loop (rate ÷ 200 VUs, each thinking 5 ms after its GET) is idle between requests as often as the open model; ` +
      `a saturated closed loop (the closed part) shares one wake-up among many requests, which evenly spaced arrivals cannot.` +
      (ctx.noPeers === true
        ? ''
        : ` The bare undici loop (bench/undici-loop.ts --rate) sends the same evenly spaced arrivals with a no-op handler, after ${num(FLOOR_WARM_GETS)} GETs back to back to the target itself; ` +
          `its latency runs from dispatch to the response's end, and its first second against its later ones is what a warm Node client shows without rampart. ` +
          `The socket write loop (bench/socket-loop.ts --rate) writes the same arrivals straight to 50 open keep-alive sockets and reads only each answer's length: ` +
          `its first second against its later ones is what this machine shows with almost no code to warm up.`),
  ].join('\n');
  return { markdown, data: { rates, runs: data, ok } };
}

/** Goal: an open model's CPU per arrival at most this × the same build's saturated closed loop's CPU per request. */
export const ARRIVAL_CPU_GOAL = 1.2;

/**
 * What an open-model arrival costs: at each of `rates`, rampart's CPU per arrival (one GET) against
 * its own saturated 50-VU closed loop's CPU per request, and the same two figures for two floors in
 * the same round: a bare undici loop (evenly spaced arrivals on a 1 ms timer, and 50 back-to-back
 * loops) and GETs written straight to sockets with no HTTP client (bench/socket-loop.ts) — how much
 * of the difference is any evenly paced Node client's, and how much is Node's and the machine's
 * own. Without peers (`--no-peers`) only rampart's rows.
 */
export async function arrivalCostPart(ctx: PartContext, rates: readonly number[]): Promise<PartResult> {
  const durationS = Math.ceil(ctx.runMs / 1000);
  const peers = ctx.noPeers !== true;
  ctx.log(`CPU per arrival at ${rates.map((r) => `${num(r)}/s`).join(', ')} against the saturated loop: ${ctx.rounds} round(s), ${durationS} s each${peers ? ', rampart, a bare undici loop and a socket write loop' : ''}`);
  type Runs = { rampart: Measurement[]; undici: Measurement[]; socket: Measurement[] };
  const runs = (): Runs => ({ rampart: [], undici: [], socket: [] });
  const kindOf = (name: string): keyof Runs => (name.startsWith('rampart') ? 'rampart' : name.startsWith('undici') ? 'undici' : 'socket');
  const closed = runs();
  const open = new Map(rates.map((r) => [r, runs()]));
  const line = (m: Measurement): void => ctx.log(`  ${m.generator.padEnd(22)} ${num(achievedRate(m.windows)).padStart(8)}/s  ${num(m.cpuPerRequestUs, 1).padStart(6)} µs CPU/request  CPU ${num(m.cpuShare * 100)} %  exit ${m.exit}`);
  for (let i = 0; i < ctx.rounds; i++) {
    const closedGens = [rampartCommand(ctx.rampart, 'rampart closed 50 VUs', closedGet({ vus: CONNECTIONS, connections: CONNECTIONS, durationMs: durationS * 1000 }), ctx.target.url)];
    if (peers) closedGens.push(undiciCommand(ctx.root, { connections: CONNECTIONS, durationS }, ctx.target.url), socketCommand(ctx.root, { connections: CONNECTIONS, durationS }, ctx.target.url));
    for (const g of closedGens) {
      const m = await measure(ctx.root, g, ctx.target, ctx.window);
      line(m);
      closed[kindOf(g.name)].push(m);
    }
    for (const rate of rates) {
      const gens = [rampartCommand(ctx.rampart, `rampart open ${rate}/s`, openGet({ rate, durationMs: durationS * 1000, connections: CONNECTIONS, maxVus: 1000 }), ctx.target.url)];
      if (peers) gens.push(undiciCommand(ctx.root, { connections: CONNECTIONS, durationS, rate }, ctx.target.url), socketCommand(ctx.root, { connections: CONNECTIONS, durationS, rate }, ctx.target.url));
      // Alternate which goes first, round by round.
      if (i % 2 === 1) gens.reverse();
      for (const g of gens) {
        const m = await measure(ctx.root, g, ctx.target, ctx.window);
        line(m);
        (open.get(rate) as Runs)[kindOf(g.name)].push(m);
      }
    }
  }
  const cpu = (ms: readonly Measurement[]): number => (ms.length > 0 ? median(ms.map((m) => m.cpuPerRequestUs)) : NaN);
  const rampartClosed = cpu(closed.rampart);
  const undiciClosed = cpu(closed.undici);
  const socketClosed = cpu(closed.socket);
  let ok = true;
  const verdicts: string[] = [];
  // A round that fell behind the plan paced nothing at the planned rate: its cost per arrival is
  // that of a backlog (see byPlan), told apart rather than averaged in.
  const paced = (ms: readonly Measurement[], rate: number): Measurement[] => {
    const { kept } = byPlan(ms, rate);
    return kept.length > 0 ? kept : [...ms];
  };
  const rows = rates.map((rate) => {
    const at = open.get(rate) as Runs;
    const behind = byPlan(at.rampart, rate).behind;
    const r = cpu(paced(at.rampart, rate));
    const u = cpu(paced(at.undici, rate));
    const w = cpu(paced(at.socket, rate));
    const ratio = r / rampartClosed;
    ok &&= ratio <= ARRIVAL_CPU_GOAL && behind.length === 0;
    const fell =
      behind.length === 0
        ? ''
        : ` ${behind.length} of ${at.rampart.length} rampart rounds fell behind the plan (${behind.map((m) => `${num(achievedRate(m.windows))}/s at ${num(m.cpuPerRequestUs, 1)} µs`).join(', ')}): ` +
          (behind.length < at.rampart.length ? 'the figures are the rounds that kept up.' : 'no round kept up, the figures are theirs.');
    verdicts.push(
      `${num(rate)}/s: rampart's CPU per arrival is ${times(ratio, 2)} its closed loop's per request (goal ≤ ${ARRIVAL_CPU_GOAL}× ${mark(ratio <= ARRIVAL_CPU_GOAL)})` +
        (peers
          ? `; a bare undici loop's evenly spaced arrivals cost ${times(u / undiciClosed, 2)} its own back-to-back loop's, GETs written straight to sockets ${times(w / socketClosed, 2)}; rampart ÷ undici is ${times(r / u, 2)} open and ${times(rampartClosed / undiciClosed, 2)} closed.`
          : '.') +
        fell,
    );
    return [
      num(rate),
      num(median(at.rampart.map((m) => achievedRate(m.windows)))),
      `${behind.length} of ${at.rampart.length}`,
      num(r, 1),
      `${times(ratio, 2)} ${mark(ratio <= ARRIVAL_CPU_GOAL)}`,
      peers ? num(u, 1) : '—',
      peers ? times(u / undiciClosed, 2) : '—',
      peers ? num(w, 1) : '—',
      peers ? times(w / socketClosed, 2) : '—',
      peers ? times(r / u, 2) : '—',
    ];
  });
  const markdown = [
    `### Open model: CPU per arrival against the saturated closed loop (${durationS} s per run, ${ctx.rounds} rounds, medians)`,
    '',
    `Saturated closed loop, 50 VUs on 50 connections: rampart ${num(rampartClosed, 1)} µs CPU per request${peers ? `, bare undici ${num(undiciClosed, 1)} (rampart ÷ undici ${times(rampartClosed / undiciClosed, 2)}), GETs written straight to 50 sockets ${num(socketClosed, 1)}` : ''}.`,
    '',
    table(
      ['planned/s', 'rampart achieved/s', 'rampart rounds behind the plan', 'rampart CPU µs/arrival', `rampart open ÷ its closed loop (goal ≤ ${ARRIVAL_CPU_GOAL}×)`, 'bare undici CPU µs/arrival', 'undici open ÷ its closed loop', 'socket writes CPU µs/arrival', 'socket writes open ÷ their closed loop', 'rampart ÷ undici, open'],
      rows,
    ),
    '',
    ...verdicts.map((v) => `- ${v}`),
    '',
    `Goal ${mark(ok)} (a round that fell behind the plan, achieved below 99 % of it at the target, misses it too; the CPU figures are the medians of the rounds that kept up). A saturated loop handles many responses per wake-up of the event loop; evenly spaced arrivals at these rates leave it idle between them, and each arrival and each response pays a wake-up of its own.` +
      (peers
        ? ' The bare undici rows (bench/undici-loop.ts, a no-op handler) pay the same with nothing of rampart in them; the socket rows (bench/socket-loop.ts: each GET written to a keep-alive socket, only the answer\'s length read) with no HTTP client at all. What they pay over their own closed loop is what Node and the machine charge for the pacing.'
        : ''),
  ].join('\n');
  return { markdown, data: { rates, closed, open: [...open].map(([rate, v]) => ({ rate, ...v })), ok } };
}
