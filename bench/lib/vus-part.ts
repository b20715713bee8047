/**
 * Many VUs: 10,000 VUs of a closed model with a random think time, on a shared pool of 1,000
 * connections and with one connection per VU, against the same build's 50-VU closed loop. What a
 * user with many VUs needs to hold: the event loop stays responsive (lag p99), the CPU per request
 * does not balloon with the VU count, and opening 10,000 connections never stalls the loop.
 */
import { measure, rampartCommand, socketCommand, undiciCommand, type Measurement } from './generators.js';
import { mark, num, table } from './format.js';
import { closedGet } from './scenarios.js';
import type { PartContext, PartResult } from './closed-parts.js';

/** Goals: lag p99 below this (ms); CPU per request at most this × the 50-VU loop's; lag max below this while the VUs start (ms). */
export const VUS_LAG_P99_GOAL_MS = 50;
export const VUS_CPU_RATIO_GOAL = 2;
export const VUS_START_LAG_GOAL_MS = 100;

/** `vus` VUs ramped up over `rampMs`, held `holdMs`, each thinking 10–100 ms between GETs. */
export function manyThinkingVus(o: { vus: number; rampMs: number; holdMs: number; policy: 'shared' | 'per-vu'; connections: number }): string {
  return `name: bench-many-thinking-vus
target: http://127.0.0.1:1
http: { connections: ${o.connections}, connectionPolicy: ${o.policy}, timeout: 30s, connectTimeout: 20s }
load:
  stages:
    - { name: ramp, duration: ${o.rampMs}ms, target: ${o.vus} }
    - { name: hold, duration: ${o.holdMs}ms, target: ${o.vus} }
gracefulStop: 3s
journeys:
  - name: browse
    steps:
      - name: hello
        get: /
      - think: { min: 10ms, max: 100ms }
`;
}

interface Row {
  readonly label: string;
  readonly m: Measurement;
  /** The same load on a bare undici loop (no rampart), unless `--no-peers`. */
  readonly floor?: Measurement;
  /** The same load written straight to sockets, no HTTP client (bench/socket-loop.ts), unless `--no-peers`. */
  readonly sockets?: Measurement;
  /** The longest event-loop delay in the seconds the VUs (and their connections) started: the ramp, and the second it ended in. */
  readonly startLagMaxMs?: number;
}

/** The longest stall of the report's timeline seconds that end by `untilS` (NaN when the report has none). */
export function stallUntil(timeline: readonly { readonly t: number; readonly lagMaxMs?: number }[] | undefined, untilS: number): number {
  const lags = (timeline ?? []).filter((p) => p.t <= untilS && p.lagMaxMs !== undefined).map((p) => p.lagMaxMs as number);
  return lags.length > 0 ? Math.max(...lags) : NaN;
}

/** `a ÷ b` as text, or — when either is missing. */
function over(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || !Number.isFinite(a / b) ? '—' : `${num(a / b, 2)}×`;
}

export async function manyVusPart(ctx: PartContext, vus: number, rampMs: number, holdMs: number): Promise<PartResult> {
  const { log } = ctx;
  const floors = ctx.noPeers !== true;
  log(`many VUs: ${num(vus)} VUs (ramp ${rampMs} ms, hold ${holdMs} ms), think 10–100 ms; against 50 VUs${floors ? '; each load also on a bare undici loop and a socket write loop' : ''}`);
  const rows: Row[] = [];
  const base = await measure(ctx.root, rampartCommand(ctx.rampart, 'rampart 50 VUs', closedGet({ vus: 50, connections: 50, durationMs: ctx.runMs }), ctx.target.url), ctx.target, ctx.window);
  const baseFloor = floors ? await measure(ctx.root, undiciCommand(ctx.root, { connections: 50, durationS: ctx.runMs / 1000, stack: true }, ctx.target.url), ctx.target, ctx.window) : undefined;
  const baseSockets = floors ? await measure(ctx.root, socketCommand(ctx.root, { connections: 50, durationS: ctx.runMs / 1000 }, ctx.target.url), ctx.target, ctx.window) : undefined;
  rows.push({ label: '50 VUs, 50 connections, no think', m: base, ...(baseFloor !== undefined ? { floor: baseFloor } : {}), ...(baseSockets !== undefined ? { sockets: baseSockets } : {}) });
  for (const policy of ['shared', 'per-vu'] as const) {
    const connections = policy === 'shared' ? 1000 : vus;
    const scenario = manyThinkingVus({ vus, rampMs, holdMs, policy, connections });
    const window = { warmupMs: rampMs + 1000, windowMs: Math.max(1000, holdMs - 2000), timeoutMs: rampMs + holdMs + 60_000 };
    const m = await measure(ctx.root, rampartCommand(ctx.rampart, `rampart ${num(vus)} VUs ${policy}`, scenario, ctx.target.url), ctx.target, window);
    const load = { connections, durationS: (rampMs + holdMs) / 1000, vus, thinkMs: [10, 100] as const, rampMs, perVu: policy === 'per-vu' };
    const floor = floors ? await measure(ctx.root, undiciCommand(ctx.root, { ...load, stack: policy === 'shared' }, ctx.target.url), ctx.target, window) : undefined;
    const sockets = floors ? await measure(ctx.root, socketCommand(ctx.root, load, ctx.target.url), ctx.target, window) : undefined;
    rows.push({
      label: `${num(vus)} VUs, ${policy === 'shared' ? 'shared pool of 1,000' : 'a connection per VU'}`,
      m,
      ...(floor !== undefined ? { floor } : {}),
      ...(sockets !== undefined ? { sockets } : {}),
      startLagMaxMs: stallUntil(m.report?.timeline, Math.ceil(rampMs / 1000) + 1),
    });
  }
  for (const r of rows) {
    const g = r.m.report?.generator;
    const start = r.startLagMaxMs !== undefined ? ` (start ${num(r.startLagMaxMs, 1)})` : '';
    const floor = r.floor !== undefined ? `  undici ${num(r.floor.cpuPerRequestUs, 1)} µs CPU/req (${num(r.floor.rps)} req/s, lag p99 ${num(r.floor.lag?.p99Ms ?? NaN, 1)} max ${num(r.floor.lag?.maxMs ?? NaN, 1)} ms)` : '';
    const sockets = r.sockets !== undefined ? `  sockets ${num(r.sockets.cpuPerRequestUs, 1)} µs CPU/req (${num(r.sockets.rps)} req/s)` : '';
    log(`  ${r.label.padEnd(40)} ${num(r.m.rps).padStart(8)} req/s  ${num(r.m.cpuPerRequestUs, 1)} µs CPU/req  lag p99 ${num(g?.eventLoopLagP99Ms ?? NaN, 1)} max ${num(g?.eventLoopLagMaxMs ?? NaN, 1)}${start} ms  exit ${r.m.exit}${floor}${sockets}`);
  }
  const verdicts: string[] = [];
  const lines = rows.map((r, i) => {
    const g = r.m.report?.generator;
    const cpuRatio = r.m.cpuPerRequestUs / base.cpuPerRequestUs;
    if (i > 0) {
      const lagOk = (g?.eventLoopLagP99Ms ?? Infinity) < VUS_LAG_P99_GOAL_MS;
      const cpuOk = cpuRatio <= VUS_CPU_RATIO_GOAL;
      const startOk = (r.startLagMaxMs ?? Infinity) < VUS_START_LAG_GOAL_MS;
      const floor =
        r.floor !== undefined && baseFloor !== undefined
          ? ` The same load on a bare undici loop costs ${over(r.floor.cpuPerRequestUs, baseFloor.cpuPerRequestUs)} its 50-connection loop's CPU per request; rampart ÷ undici is ${over(r.m.cpuPerRequestUs, r.floor.cpuPerRequestUs)} here and ${over(base.cpuPerRequestUs, baseFloor.cpuPerRequestUs)} at 50 VUs.`
          : '';
      const sockets = r.sockets !== undefined && baseSockets !== undefined ? ` Written straight to sockets, it costs ${over(r.sockets.cpuPerRequestUs, baseSockets.cpuPerRequestUs)} their 50-connection loop's.` : '';
      verdicts.push(
        `${r.label}: lag p99 ${num(g?.eventLoopLagP99Ms ?? NaN, 1)} ms (goal < ${VUS_LAG_P99_GOAL_MS} ${mark(lagOk)}), CPU per request ${num(cpuRatio, 2)}× the 50-VU loop's (goal ≤ ${VUS_CPU_RATIO_GOAL}× ${mark(cpuOk)}), ` +
          `lag max while the VUs and their connections started (the ramp's seconds, from the timeline) ${num(r.startLagMaxMs ?? NaN, 1)} ms (goal < ${VUS_START_LAG_GOAL_MS} ${mark(startOk)}); over the whole run ${num(g?.eventLoopLagMaxMs ?? NaN, 1)} ms.${floor}${sockets}`,
      );
    }
    return [
      r.label,
      num(r.m.rps),
      num(r.m.cpuPerRequestUs, 1),
      i === 0 ? '1.00×' : `${num(cpuRatio, 2)}×`,
      r.floor !== undefined ? num(r.floor.cpuPerRequestUs, 1) : '—',
      i === 0 ? (r.floor !== undefined ? '1.00×' : '—') : over(r.floor?.cpuPerRequestUs, baseFloor?.cpuPerRequestUs),
      over(r.m.cpuPerRequestUs, r.floor?.cpuPerRequestUs),
      r.sockets !== undefined ? num(r.sockets.cpuPerRequestUs, 1) : '—',
      i === 0 ? (r.sockets !== undefined ? '1.00×' : '—') : over(r.sockets?.cpuPerRequestUs, baseSockets?.cpuPerRequestUs),
      `${num(r.m.cpuShare * 100)} %`,
      `${num(g?.eventLoopLagP99Ms ?? NaN, 1)} / ${num(g?.eventLoopLagMaxMs ?? NaN, 1)}`,
      r.floor?.lag !== undefined ? `${num(r.floor.lag.p99Ms, 1)} / ${num(r.floor.lag.maxMs, 1)}` : '—',
      r.startLagMaxMs !== undefined ? num(r.startLagMaxMs, 1) : '—',
      num(r.m.p99Ms, 1),
    ];
  });
  const markdown = [
    `### Many VUs: ${num(vus)} VUs thinking 10–100 ms, both connection policies, against 50 VUs`,
    '',
    table(['load', 'requests/s', 'CPU µs/request', 'vs 50 VUs', 'bare undici: CPU µs/request', 'undici vs its 50', 'rampart ÷ undici', 'socket writes: CPU µs/request', 'sockets vs their 50', 'CPU', 'lag p99 / max ms', 'undici lag p99 / max ms', 'lag max while starting, ms', 'p99 ms'], lines),
    '',
    ...verdicts.map((v) => `- ${v}`),
    '',
    `${num(vus)} VUs thinking 55 ms on average ask for far more requests than one core sends: the generator runs at full CPU, and the figures say whether it stays responsive doing so.`,
    floors
      ? 'The bare undici rows run the same VUs, think times, ramp and connections as dispatch loops with a no-op handler (bench/undici-loop.ts): how much of the growth from 50 VUs is the HTTP client and Node\'s own, not rampart\'s. ' +
        'Their shared connections are undici Clients on a stack of free ones (`--stack`), as in rampart\'s own pool: undici\'s Pool walks its clients for a free one, 10–20 % of the CPU per request with 1,000 busy. ' +
        'The socket rows write the same GETs straight to keep-alive sockets and read only each answer\'s length (bench/socket-loop.ts): what the load costs with no HTTP client at all. The floors send with every connection busy; rampart holds iterations back to keep its event loop on time (the report\'s `heldBack`), so it sends fewer at once and pays more wake-ups per request.'
      : '',
  ].join('\n');
  return { markdown, data: rows.map((r) => ({ label: r.label, m: r.m, ...(r.floor !== undefined ? { floor: r.floor } : {}), ...(r.sockets !== undefined ? { sockets: r.sockets } : {}) })) };
}
