/**
 * The scenarios the benchmark runs, as YAML text (written to a temp dir per run). Each is what a
 * user would write; nothing bench-specific is switched on in rampart.
 */

/** Seconds as a scenario duration (`12.5s` is not valid: whole milliseconds). */
function dur(ms: number): string {
  return `${Math.round(ms)}ms`;
}

/**
 * Closed loop: `vus` VUs over `connections` keep-alive connections, one GET per iteration, and a
 * think of `thinkMs` after it when given.
 */
export function closedGet(o: { vus: number; connections: number; durationMs: number; thinkMs?: number; name?: string }): string {
  return `name: ${o.name ?? 'bench-closed-get'}
target: http://127.0.0.1:1
http: { connections: ${o.connections}, timeout: 10s }
load: { vus: ${o.vus}, duration: ${dur(o.durationMs)} }
gracefulStop: 2s
journeys:
  - name: get
    steps:
      - name: hello
        get: /
${o.thinkMs !== undefined ? `      - think: ${dur(o.thinkMs)}\n` : ''}`;
}

/**
 * The 3-step journey: a list (JSON captures), an item by a templated URL (a capture and a VU id in
 * the query), and a POST whose JSON body is rendered from the captures; each step expects a status.
 */
export function closedThreeStep(o: { vus: number; connections: number; durationMs: number }): string {
  return `name: bench-closed-3-step
target: http://127.0.0.1:1
http: { connections: ${o.connections}, timeout: 10s, headers: { accept: application/json } }
load: { vus: ${o.vus}, duration: ${dur(o.durationMs)} }
gracefulStop: 2s
journeys:
  - name: three-step
    steps:
      - name: list
        get: /api/items
        expect: { status: 200 }
        capture: { itemId: { json: "$.items[0].id" }, token: { json: $.token } }
      - name: item
        get: "/api/items/{{ itemId }}?vu={{ vu.id }}"
        expect: { status: 200 }
        capture: { price: { json: $.price } }
      - name: order
        post: /api/orders
        json: { itemId: "{{ itemId }}", price: "{{ price }}", token: "{{ token }}", qty: 1 }
        expect: { status: 201 }
`;
}

/**
 * A closed loop paced to about `rate` requests/s: `rate / 200` VUs each thinking 5 ms after its
 * GET. The open model's CPU per arrival is compared with it at the same rate, where a loop is idle
 * between requests just as often.
 */
export function pacedClosedGet(o: { rate: number; durationMs: number; connections: number }): string {
  return closedGet({ name: 'bench-paced-closed-get', vus: Math.max(1, Math.round(o.rate / 200)), connections: o.connections, durationMs: o.durationMs, thinkMs: 5 });
}

/** Open model: `rate` arrivals per second of a one-GET journey for `durationMs`. */
export function openGet(o: { rate: number; durationMs: number; connections: number; maxVus: number }): string {
  return `name: bench-open-get
target: http://127.0.0.1:1
http: { connections: ${o.connections}, timeout: 10s }
load:
  phases:
    - { name: steady, duration: ${dur(o.durationMs)}, rate: ${o.rate} }
  maxVus: ${o.maxVus}
gracefulStop: 2s
journeys:
  - name: get
    steps:
      - name: hello
        get: /
`;
}

/** Many VUs against a slow target: `vus` ramped up over `rampMs`, held for `holdMs`. */
export function manyVus(o: { vus: number; rampMs: number; holdMs: number; connections: number }): string {
  return `name: bench-many-vus
target: http://127.0.0.1:1
http: { connections: ${o.connections}, timeout: 30s, connectTimeout: 20s }
load:
  stages:
    - { name: ramp, duration: ${dur(o.rampMs)}, target: ${o.vus} }
    - { name: hold, duration: ${dur(o.holdMs)}, target: ${o.vus} }
gracefulStop: 3s
journeys:
  - name: slow
    steps:
      - name: slow
        get: /
`;
}

/** One GET expecting 200 under `load` (YAML flow text), as the start-up and small-run parts run it. */
export function checkedGet(o: { name: string; load: string; warmUp?: boolean; thresholds?: string }): string {
  return `name: ${o.name}
target: http://127.0.0.1:1
${o.warmUp === false ? 'warmUp: false\n' : ''}load: ${o.load}
journeys:
  - name: get
    steps:
      - name: hello
        get: /
        expect: { status: 200 }
${o.thresholds ?? ''}`;
}

/** A small scenario for the start-up time: one VU, a few iterations; `warmUp: false` starts it cold. */
export function small(warmUp = true): string {
  return checkedGet({ name: 'bench-start-up', load: '{ vus: 1, iterations: 3, maxDuration: 10s }', warmUp, thresholds: 'thresholds:\n  http.errors: ["rate == 0"]\n' });
}
