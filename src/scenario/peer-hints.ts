/**
 * Hints for the spellings Artillery and k6 users bring: a key rampart does not know, met where the
 * peer tool would accept it, is answered with rampart's own spelling. The table of
 * "Coming from Artillery or k6" in docs/scenario.md is this list.
 */

/** Where a key was met: a schema definition name (`requestStep`, `phase`, …), or `root`. */
export type PeerPlace = 'root' | 'step' | 'requestStep' | 'loopStep' | 'loop' | 'phase' | 'stage' | 'load' | 'expect' | 'capture' | 'journey';

/** One foreign spelling and what to write instead. */
export interface PeerSpelling {
  readonly key: string;
  /** The places where the key gets this hint. */
  readonly at: readonly PeerPlace[];
  /** Which tool spells it so. */
  readonly from: 'Artillery' | 'k6' | 'Artillery and k6';
  /** What to write in rampart (a sentence naming rampart's spelling). */
  readonly hint: string;
}

const NO_CODE = 'rampart runs no code in a scenario';

export const PEER_SPELLINGS: readonly PeerSpelling[] = [
  { key: 'config', at: ['root'], from: 'Artillery', hint: 'rampart has no `config:` section: `target`, `http`, `variables`, `data` and `load` (with its `phases`) sit at the top level' },
  { key: 'phases', at: ['root'], from: 'Artillery', hint: 'phases go under `load:`: `load: { phases: [ { duration: 1m, rate: 5 } ] }`' },
  { key: 'scenarios', at: ['root'], from: 'Artillery and k6', hint: 'user flows are `journeys:` (each with `name`, `weight` and `steps`); several loads at once are `load: [ … ]` blocks' },
  { key: 'options', at: ['root'], from: 'k6', hint: 'k6 `options` map to `load:` (`vus`, `duration`, `stages`, `iterations`) and `thresholds:` at the top level' },
  { key: 'stages', at: ['root'], from: 'k6', hint: 'stages go under `load:`: `load: { stages: [ { duration: 1m, target: 10 } ] }`' },
  { key: 'vus', at: ['root'], from: 'k6', hint: 'VUs go under `load:`: `load: { vus: 10, duration: 1m }`' },
  { key: 'ensure', at: ['root', 'requestStep', 'step'], from: 'Artillery', hint: 'pass/fail criteria are top-level `thresholds`, e.g. `thresholds: { http.latency: ["p(95) < 200ms"], http.errors: ["rate < 1%"] }`' },
  { key: 'processor', at: ['root'], from: 'Artillery', hint: `${NO_CODE}: captures, \`set\`, templates and \`if\` steps cover what a processor function does` },
  { key: 'flow', at: ['journey'], from: 'Artillery', hint: 'a journey\'s steps are `steps:`' },
  { key: 'exec', at: ['journey', 'load'], from: 'k6', hint: 'a load block names its journeys with `journeys: [name, …]`' },
  { key: 'executor', at: ['load'], from: 'k6', hint: 'rampart has no executors: `phases` is the open model (constant or ramping arrival rate), `vus` with `duration` or `stages` the closed model (constant or ramping VUs), `iterations` / `iterationsPerVu` the shared and per-VU iterations' },
  { key: 'arrivalRate', at: ['phase'], from: 'Artillery', hint: 'arrivals per second are `rate` (with `rampTo` to ramp): `{ duration: 1m, rate: 5, rampTo: 50 }`' },
  { key: 'arrivalCount', at: ['phase'], from: 'Artillery', hint: 'a number of arrivals spread over the phase is `arrivals`' },
  { key: 'maxVusers', at: ['phase', 'load'], from: 'Artillery', hint: 'the cap on concurrent VUs is `maxVus`, under `load:`' },
  { key: 'vus', at: ['phase'], from: 'k6', hint: 'a phase sets arrivals per second (`rate`, the open model); a number of VUs is the closed model: `load: { vus: 10, duration: 1m }` or `load: { stages: [ { duration: 1m, target: 10 } ] }`' },
  { key: 'rampTo', at: ['stage'], from: 'Artillery', hint: 'a stage ramps to `target` VUs: `{ duration: 1m, target: 50 }`' },
  { key: 'jsonFile', at: ['requestStep'], from: 'Artillery', hint: 'a body read from a file is `bodyFile: payload.json` (a `.json` file is a JSON body whose strings may be templates)' },
  { key: 'cookies', at: ['requestStep'], from: 'k6', hint: 'a cookie for one request is a header: `headers: { cookie: "name=value; other=value" }` (sent with this request only); the per-VU jar is `http.cookies`' },
  { key: 'cookie', at: ['requestStep'], from: 'Artillery', hint: 'a cookie for one request is a header: `headers: { cookie: "name=value; other=value" }` (sent with this request only); the per-VU jar is `http.cookies`' },
  { key: 'setCookies', at: ['requestStep', 'step'], from: 'k6', hint: 'cookies the server sets enter the per-VU jar by themselves (`http.cookies`, on by default); to send one yourself, use `headers: { cookie: "name=value" }`' },
  { key: 'tls', at: ['requestStep', 'root'], from: 'Artillery and k6', hint: 'TLS is scenario-wide, under `http`: `tls: { ca: company-ca.pem, cert: client.pem, key: client.key }` (per origin: `tls.origins`); `insecureSkipTlsVerify: true` accepts self-signed certificates' },
  { key: 'hosts', at: ['root'], from: 'k6', hint: 'host overrides are `http: { hosts: { shop.example.com: 10.0.0.7 } }`' },
  { key: 'tlsAuth', at: ['root'], from: 'k6', hint: 'a client certificate is `http: { tls: { cert: client.pem, key: client.key } }`, per origin under `tls.origins`' },
  { key: 'qs', at: ['requestStep'], from: 'Artillery', hint: 'query parameters are `query: { name: value }`' },
  { key: 'formData', at: ['requestStep'], from: 'Artillery', hint: 'a multipart body is `multipart: { field: value, upload: { file: path } }`; a URL-encoded one is `form:`' },
  { key: 'url', at: ['requestStep', 'step'], from: 'Artillery', hint: 'the method key holds the URL: `get: /path`' },
  { key: 'beforeRequest', at: ['requestStep'], from: 'Artillery', hint: `${NO_CODE}: headers, bodies and captures take templates instead` },
  { key: 'afterResponse', at: ['requestStep'], from: 'Artillery', hint: `${NO_CODE}: use \`capture\`, \`check\` and \`expect\`` },
  { key: 'function', at: ['step'], from: 'Artillery', hint: `${NO_CODE}: use \`set\`, \`if\`, captures and templates` },
  { key: 'statusCode', at: ['expect'], from: 'Artillery', hint: 'the expected status is `status: 200` (or a list, or a class such as `2xx`)' },
  { key: 'hasProperty', at: ['expect'], from: 'Artillery', hint: 'a JSON property that must exist is `{ json: $.name, exists: true }`' },
  { key: 'contentType', at: ['expect'], from: 'Artillery', hint: 'test the header: `{ header: content-type, contains: json }`' },
  { key: 'regex', at: ['expect'], from: 'Artillery and k6', hint: 'a pattern on the body is `body: { matches: "…" }`; on a header or a JSON value, add `matches: "…"` to `header:` / `json:`' },
  { key: 'as', at: ['capture'], from: 'Artillery', hint: 'a capture is named by its key: `capture: { id: { json: $.id } }`' },
  { key: 'match', at: ['capture'], from: 'Artillery', hint: 'a capture is a name and one source: `capture: { id: { json: $.id } }`' },
  { key: 'steps', at: ['loop'], from: 'Artillery', hint: '`steps` go beside `loop`, not inside it: `- loop: 3` and, on the next line at the same indentation, `steps: [ … ]`' },
  { key: 'count', at: ['loopStep'], from: 'Artillery', hint: 'the count goes inside `loop`: `- loop: 3` (or `loop: { count: 3 }`) with `steps: [ … ]` beside it' },
  { key: 'engine', at: ['journey'], from: 'Artillery', hint: 'rampart has no engines: one journey mixes HTTP steps and WebSocket `ws` steps (`ws: { connect: /path }`, then `ws: { send: …, until: { … } }`)' },
  { key: 'connect', at: ['step'], from: 'Artillery', hint: 'a WebSocket is opened by a `ws` step: `ws: { connect: /path, headers: { … } }`; the `ws` steps after it use that socket' },
  { key: 'send', at: ['step'], from: 'Artillery', hint: 'a WebSocket message is a `ws` step: `ws: { send: "text" }` (or `send: { json: … }`), with `until: { json: $.x, equals: y }` to wait for the answer' },
  { key: 'whileTrue', at: ['loopStep'], from: 'Artillery', hint: 'a request repeated until a condition holds is a `poll` step: `poll: { get: …, until: { … }, every: 1s, timeout: 30s }`' },
];

const BY_PLACE = new Map<string, string>();
for (const s of PEER_SPELLINGS) for (const p of s.at) BY_PLACE.set(`${p}|${s.key}`, s.hint);

/** The peer-spelling hint for `key` met at `place`, if it is one. */
export function peerHint(place: PeerPlace, key: string): string | undefined {
  return BY_PLACE.get(`${place}|${key}`);
}

/** The PeerPlace of a schema definition pointer (`#/$defs/phase` → `phase`), if it has hints. */
export function placeOf(defPointer: string | undefined): PeerPlace | undefined {
  if (defPointer === '#' || defPointer === '') return 'root';
  if (defPointer?.startsWith('#/$defs/loopStep/properties/loop/')) return 'loop';
  const m = /^#\/\$defs\/([A-Za-z]+)(\/properties\/([A-Za-z]+))?$/.exec(defPointer ?? '');
  if (!m) return undefined;
  const def = m[1] ?? '';
  if (def === 'loopStep' && m[3] === 'loop') return 'loop';
  if (m[3] !== undefined) return undefined;
  if (def === 'openLoad' || def === 'closedLoad' || def === 'openBlock' || def === 'closedBlock') return 'load';
  if (def === 'comparisonOps') return 'expect';
  const places: readonly string[] = ['requestStep', 'loopStep', 'phase', 'stage', 'expect', 'capture', 'journey'];
  return places.includes(def) ? (def as PeerPlace) : undefined;
}

/**
 * A hint for a value of the wrong type that a peer tool would accept there: Artillery's `think: 2`
 * (seconds), `expect.header` / `expect.json` given a map, a `loop` given the steps themselves.
 */
export function peerTypeHint(pointer: string, value: unknown): string | undefined {
  const last = pointer.slice(pointer.lastIndexOf('/') + 1);
  const isMap = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (/\/expect$|\/check\/[^/]+$/.test(pointer.slice(0, pointer.lastIndexOf('/'))) && isMap) {
    if (last === 'header') return 'a map of headers is `headers: { name: value }`; `header` names one header, with an operator: `{ header: x-cache, equals: HIT }`';
    if (last === 'json') return 'a map of JSON paths is `jsonPaths: { $.id: 1 }`; `json` names one path, with an operator: `{ json: $.id, equals: 1 }`';
  }
  if (/\/capture$/.test(pointer.slice(0, pointer.lastIndexOf('/'))) && typeof value === 'string' && ['json', 'header', 'regex', 'css', 'as', 'xpath'].includes(last)) {
    return 'a capture is named by its key and holds one source: Artillery\'s `capture: { json: $.id, as: id }` is `capture: { id: { json: $.id } }`';
  }
  if (last === 'think' && typeof value === 'number') return `a bare number is not a duration (Artillery's \`think: ${String(value)}\` means seconds): write \`think: ${String(value)}s\``;
  if (last === 'loop' && Array.isArray(value)) return 'the steps of a loop go in `steps:` beside it: `- loop: 3` and, at the same indentation, `steps: [ … ]`';
  return undefined;
}
