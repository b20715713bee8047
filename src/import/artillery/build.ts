/** An Artillery script as a scenario: config first, then one journey per scenario. */
import { Notes, toYaml } from '../emit.js';
import type { ImportResult } from '../problems.js';
import { plain } from '../text.js';
import { mapEnsure, mapHttp, mapPayload, mapPhases, mapVariables } from './config.js';
import { asObj, MapContext } from './context.js';
import { mapFlow } from './flow.js';
import type { ArtilleryScript } from './read.js';
import { template, type TemplateMap } from './templates.js';

/** How a script is imported. */
export interface ArtilleryImportOptions {
  /** The scenario's name. */
  readonly name: string;
  /** The script as the user named it. */
  readonly file: string;
}

const CONFIG_KEYS = ['target', 'phases', 'payload', 'variables', 'environments', 'ensure', 'http', 'defaults', 'processor', 'plugins', 'tls'];

/** Imports a parsed script. */
export function importArtillery(script: ArtilleryScript, opts: ArtilleryImportOptions): ImportResult {
  const notes = new Notes();
  const names: TemplateMap = { names: new Map(), env: new Set(), unknown: new Set() };
  const ctx = new MapContext(script, notes, names);
  const config = asObj(script.value['config']) ?? {};
  const scenario: Record<string, unknown> = { name: plain(opts.name) };
  if (typeof config['target'] === 'string') scenario['target'] = template(config['target'], names);
  const http = mapHttp(config['http'], config['defaults'], ctx);
  const tls = asObj(config['tls']);
  if (tls?.['rejectUnauthorized'] === false) http['insecureSkipTlsVerify'] = true;
  for (const k of Object.keys(tls ?? {})) if (k !== 'rejectUnauthorized') ctx.unmapped(['config', 'tls', k], `tls setting \`${k}\` has no counterpart`);
  if (Object.keys(http).length > 0) scenario['http'] = http;
  // Payload first: its columns rename variables in every template after.
  const data = mapPayload(config['payload'], ctx);
  const variables = mapVariables(config['variables'], data, ctx);
  if (typeof config['processor'] === 'string') notes.aboveKey(scenario, 'name', ctx.hook(['config', 'processor'], `processor ${config['processor']} (its functions are listed where they are used)`));
  if (config['plugins'] !== undefined) notes.aboveKey(scenario, 'name', ctx.unmapped(['config', 'plugins'], `plugins (${Object.keys(asObj(config['plugins']) ?? {}).join(', ')}) are not imported; expect is mapped where a request uses it`));
  for (const k of Object.keys(config)) if (!CONFIG_KEYS.includes(k)) notes.aboveKey(scenario, 'name', ctx.unmapped(['config', k], `config.${k} has no counterpart`));

  const maxVus = (Array.isArray(config['phases']) ? config['phases'] : []).reduce<number | undefined>((m, p) => {
    const v = asObj(p)?.['maxVusers'];
    return typeof v === 'number' ? Math.max(m ?? 0, v) : m;
  }, undefined);
  const load = mapPhases(config['phases'], ['config', 'phases'], ctx, maxVus);
  const journeys: Record<string, unknown>[] = [];
  const scenarios = script.value['scenarios'] as unknown[];
  scenarios.forEach((raw, i) => {
    const s = asObj(raw) ?? {};
    const at = ['scenarios', i];
    const journey: Record<string, unknown> = { name: plain(typeof s['name'] === 'string' ? s['name'] : `scenario-${i + 1}`) };
    if (journeys.some((j) => j['name'] === journey['name'])) journey['name'] = `${String(journey['name'])}-${i + 1}`;
    if (typeof s['weight'] === 'number' && s['weight'] > 0) journey['weight'] = s['weight'];
    if (s['engine'] !== undefined && s['engine'] !== 'http') {
      notes.above(journey, ctx.unmapped([...at, 'engine'], `engine ${String(s['engine'])} is not HTTP: the journey is a placeholder`));
      journey['steps'] = [{ log: `scenario ${String(journey['name'])} used engine ${String(s['engine'])}` }];
      journeys.push(journey);
      return;
    }
    for (const hook of ['beforeScenario', 'afterScenario', 'beforeRequest', 'afterResponse']) {
      const v = s[hook];
      for (const name of Array.isArray(v) ? v : v !== undefined ? [v] : []) notes.above(journey, ctx.hook([...at, hook], `${hook} ${String(name)}`));
    }
    journey['steps'] = mapFlow(s['flow'], [...at, 'flow'], ctx);
    for (const k of Object.keys(s)) {
      if (!['name', 'weight', 'flow', 'engine', 'beforeScenario', 'afterScenario', 'beforeRequest', 'afterResponse'].includes(k)) notes.above(journey, ctx.unmapped([...at, k], `scenario setting \`${k}\` has no counterpart`));
    }
    journeys.push(journey);
  });
  // `before` and `after` run once around the load: rampart's setup and teardown.
  const around: Record<string, unknown> = {};
  for (const [key, to] of [['before', 'setup'], ['after', 'teardown']] as const) {
    const flow = asObj(script.value[key])?.['flow'];
    if (flow !== undefined) around[to] = mapFlow(flow, [key, 'flow'], ctx);
  }
  for (const k of Object.keys(script.value)) if (!['config', 'scenarios', 'before', 'after'].includes(k)) ctx.unmapped([k], `\`${k}\` has no counterpart`);

  // Environment variables the script read become variables with the same name.
  for (const env of names.env) if (variables[env] === undefined) variables[env] = `\${${env}:-}`;
  if (Object.keys(variables).length > 0) scenario['variables'] = variables;
  if (Object.keys(data).length > 0) scenario['data'] = data;
  scenario['load'] = load;
  scenario['journeys'] = journeys;
  Object.assign(scenario, around);
  const thresholds = mapEnsure(config['ensure'], ctx);
  if (Object.keys(thresholds).length > 0) scenario['thresholds'] = thresholds;
  const environments = mapEnvironments(config['environments'], ctx);
  if (environments) scenario['environments'] = environments;
  for (const f of names.unknown) ctx.warnings.push(`${script.file}: template function ${f} has no counterpart in rampart: replace it (see docs/templates.md)`);

  const header = [`Imported by \`rampart import artillery\` from ${opts.file}.`];
  const trailer = ctx.hooks.length > 0 ? ['JavaScript hooks of the script, not run by rampart:', ...ctx.hooks.map((h) => `- ${h}`)] : [];
  const warnings = [...ctx.warnings, ...ctx.hooks.map((h) => `JavaScript hook not imported: ${h}`)];
  return { yaml: toYaml(scenario, notes, header, trailer), warnings, files: [] };
}

function mapEnvironments(raw: unknown, ctx: MapContext): Record<string, unknown> | undefined {
  const envs = asObj(raw);
  if (!envs) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(envs)) {
    const e = asObj(v) ?? {};
    const env: Record<string, unknown> = {};
    if (typeof e['target'] === 'string') env['target'] = template(e['target'], ctx.names);
    const vars = asObj(e['variables']);
    if (vars) {
      env['variables'] = Object.fromEntries(Object.entries(vars).filter(([, x]) => ['string', 'number', 'boolean'].includes(typeof x)).map(([k, x]) => [k, typeof x === 'string' ? template(x, ctx.names) : x]));
      for (const [k, x] of Object.entries(vars)) if (Array.isArray(x)) ctx.unmapped(['config', 'environments', name, 'variables', k], `environment ${name}: list variable ${k} (environments hold single values)`);
    }
    for (const k of Object.keys(e)) if (!['target', 'variables'].includes(k)) ctx.notes.aboveKey(out, name, ctx.unmapped(['config', 'environments', name, k], `environment ${name}: \`${k}\` is not part of a rampart environment (target and variables only)`));
    out[name] = env;
  }
  return out;
}
