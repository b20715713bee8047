/**
 * A recording as a scenario: the main origin is the target, one journey holds the pages in order
 * (a page is a `group`; requests that were in flight together form a `parallel` step), the gaps
 * between them become think times with jitter, and every request expects its recorded status.
 */
import { Notes, toYaml } from '../emit.js';
import { ImportError, problemAt, type ImportResult } from '../problems.js';
import { NameBook, duration, plain } from '../text.js';
import { header, kindOf, mainOrigin } from './classify.js';
import { correlate } from './correlate.js';
import { draftOf, type Draft } from './draft.js';
import type { Har, HarEntry } from './read.js';
import { Secrets, label, requestStep, type StepContext } from './steps.js';

/** How a recording is imported. */
export interface HarImportOptions {
  /** Keep static assets (scripts, styles, images, fonts) as `parallel` requests. Default false. */
  readonly keepStatic?: boolean;
  /** The scenario's name. */
  readonly name: string;
  /** The HAR file as the user named it (problems and the header comment). */
  readonly file: string;
  /** Find correlations (default true); false writes every value as recorded. */
  readonly correlate?: boolean;
  /** Directory, relative to the scenario, for multipart file placeholders. Default `files`. */
  readonly filesDir?: string;
}

/** Gaps shorter than this are the browser's own pace, not the user's (ms). */
const MIN_THINK_MS = 250;
/** Longer gaps (the recorder left idle) are cut to this (ms). */
const MAX_THINK_MS = 30_000;
const end = (e: HarEntry): number => e.started + e.time;
/** Requests in one parallel step at most (the schema's limit). */
const MAX_PARALLEL = 100;

/** Imports a parsed recording. @throws ImportError when nothing in it can become a request step */
export function importHar(har: Har, opts: HarImportOptions): ImportResult {
  const warnings: string[] = [...har.skipped.map((s) => `skipped: ${s}`)];
  const origin = mainOrigin(har.entries);
  if (origin === undefined) throw new ImportError([problemAt(opts.file, 1, 1, 'the recording holds no HTTP requests', 'record again with the DevTools Network tab open, then "Save all as HAR with content"')]);
  const dropped = { static: 0, unanswered: 0, origins: new Map<string, number>() };
  const kept = har.entries
    .filter((e) => {
      if (e.status <= 0) return (dropped.unanswered++, false);
      if (e.url.origin !== origin) return (dropped.origins.set(e.url.origin, (dropped.origins.get(e.url.origin) ?? 0) + 1), false);
      if (!opts.keepStatic && kindOf(e) === 'static') return (dropped.static++, false);
      return true;
    })
    .sort((a, b) => a.started - b.started || a.index - b.index);
  if (kept.length === 0) throw new ImportError([problemAt(opts.file, 1, 1, `no request of the recording is left to import: its ${har.entries.length} entries are static assets, other origins or unanswered`, 'try --keep-static')]);
  if (dropped.static > 0) warnings.push(`${dropped.static} static asset request(s) dropped (scripts, styles, images, fonts); --keep-static keeps them`);
  if (dropped.unanswered > 0) warnings.push(`${dropped.unanswered} request(s) without a response (blocked or cancelled in the browser) dropped`);
  for (const [o, n] of dropped.origins) warnings.push(`${n} request(s) to ${o} dropped: the scenario targets ${origin}`);

  const drafts = kept.map((e) => draftOf(e, origin));
  const names = new NameBook();
  const corr = opts.correlate === false ? { captures: new Map(), uses: new Map(), unresolved: [] } : correlate(drafts, []);
  const notes = new Notes();
  const secrets = new Secrets(names);
  for (const list of corr.captures.values()) for (const c of list) names.reserve(c.name);
  const jarCookies = new Set<string>();
  const files: { path: string; content: string }[] = [];
  const filesDir = opts.filesDir ?? 'files';
  const ctx = (i: number): StepContext => ({
    notes,
    secrets,
    jarCookies: new Set(jarCookies),
    captures: corr.captures.get(i) ?? [],
    placeholder: (fileName, content) => {
      const path = `${filesDir}/${fileName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'upload.bin'}`;
      if (!files.some((f) => f.path === path)) files.push({ path, content });
      warnings.push(`multipart file ${fileName}: a placeholder is written to ${path}${content === '' ? ' (the recording does not hold its bytes)' : ''}; put the real file there`);
      return path;
    },
    warn: (l) => warnings.push(l),
  });

  // Steps in recorded order, so that the jar knows the cookies set before each request.
  const built = new Map<number, Record<string, unknown>>();
  drafts.forEach((d, i) => {
    const step = requestStep(d, ctx(i));
    if (step) built.set(i, step);
    for (const h of d.entry.responseHeaders) {
      if (h.name.toLowerCase() !== 'set-cookie') continue;
      const name = /^\s*([^=;\s]+)=/.exec(h.value)?.[1];
      if (name !== undefined) jarCookies.add(name);
    }
  });

  const common = hoistHeaders([...built.values()]);
  const steps = layout(drafts, built, corr.uses, har, notes);
  const variables = Object.fromEntries([...secrets.variables].map(([name, env]) => [name, `\${${env}:-}`]));
  const scenario: Record<string, unknown> = {
    name: opts.name,
    target: origin,
    http: Object.keys(common).length > 0 ? { followRedirects: false, headers: common } : notes.flow({ followRedirects: false }),
  };
  notes.aboveKey(scenario, 'http', 'the recording holds each redirect as a request of its own: the scenario sends them the same way');
  if (secrets.variables.size > 0) {
    scenario['variables'] = variables;
    scenario['secrets'] = [...secrets.variables.keys()];
    notes.aboveKey(scenario, 'variables', `credentials of the recording are never written here: set ${[...secrets.variables.values()].join(', ')} in the environment`);
  }
  scenario['load'] = notes.flow({ vus: 1, iterations: 1 });
  notes.aboveKey(scenario, 'load', 'one pass through the recording; for load, use phases (arrival rates) or more vus');
  scenario['journeys'] = [{ name: 'recording', steps }];
  scenario['thresholds'] = { 'http.errors': notes.flow(['rate < 1%']) };
  const header = [
    `Imported by \`rampart import har\` from ${opts.file} (recorded with ${har.creator}):`,
    `${kept.length} of ${har.entries.length} requests, ${[...corr.captures.values()].reduce((n, l) => n + l.length, 0)} correlated value(s).`,
  ];
  const trailer = corr.unresolved.length > 0 ? ['Not correlated (left as recorded):', ...corr.unresolved.map((u) => `- ${u}`)] : [];
  for (const u of corr.unresolved) warnings.push(`not correlated: ${u}`);
  return { yaml: toYaml(scenario, notes, header, trailer), warnings, files };
}

/** Headers every request sends with the same value move to `http.headers`. */
function hoistHeaders(steps: readonly Record<string, unknown>[]): Record<string, string> {
  const first = steps[0]?.['headers'] as Record<string, string> | undefined;
  if (steps.length < 2 || first === undefined) return {};
  const common: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) {
    if (k !== 'cookie' && steps.every((s) => (s['headers'] as Record<string, string> | undefined)?.[k] === v)) common[k] = v;
  }
  for (const s of steps) {
    const h = s['headers'] as Record<string, string> | undefined;
    if (h === undefined) continue;
    for (const k of Object.keys(common)) delete h[k];
    if (Object.keys(h).length === 0) delete s['headers'];
  }
  return common;
}

/** Pages as groups, overlapping requests as parallel steps, gaps as think times. */
function layout(drafts: readonly Draft[], built: Map<number, Record<string, unknown>>, uses: Map<number, Set<number>>, har: Har, notes: Notes): Record<string, unknown>[] {
  const titles = new Map(har.pages.map((p) => [p.id, p.title]));
  // A page starts at each document (a navigation). Recorders differ on pages: DevTools writes one
  // per navigation, Playwright one per tab, so the page's title names a group only when that page
  // holds a single document.
  // A redirect's target is the same navigation as the request that was redirected.
  let previous: HarEntry | undefined;
  const starts = drafts.map((d) => {
    const e = d.entry;
    if (kindOf(e) !== 'document') return false;
    const location = previous && previous.status >= 300 && previous.status < 400 ? header(previous.responseHeaders, 'location') : undefined;
    const redirected = location !== undefined && previous !== undefined && new URL(location, previous.url).href === e.url.href;
    previous = e;
    return !redirected;
  });
  const navigations = new Map<string, number>();
  drafts.forEach((d, i) => {
    if (starts[i] && d.entry.page !== undefined) navigations.set(d.entry.page, (navigations.get(d.entry.page) ?? 0) + 1);
  });
  const pages: { title?: string; items: number[] }[] = [{ items: [] }];
  drafts.forEach((d, i) => {
    const e = d.entry;
    if (starts[i]) {
      const title = e.page !== undefined && navigations.get(e.page) === 1 ? titles.get(e.page) : undefined;
      pages.push({ title: title ?? `${e.method} ${label(d.url)}`, items: [] });
    }
    pages.at(-1)?.items.push(i);
  });

  const out: Record<string, unknown>[] = [];
  let lastEnd: number | undefined;
  const think = (into: Record<string, unknown>[], next: HarEntry): void => {
    if (lastEnd === undefined) return;
    const gap = next.started - lastEnd;
    if (gap < MIN_THINK_MS) return;
    const step = { think: notes.flow({ duration: duration(Math.min(gap, MAX_THINK_MS)), jitter: '20%' }) };
    if (gap > MAX_THINK_MS) notes.above(step, `the recording paused ${duration(gap)} here`);
    into.push(step);
  };
  const seenTitles = new Map<string, number>();
  for (const page of pages) {
    const steps: Record<string, unknown>[] = [];
    let batch: number[] = [];
    let batchEnd = 0;
    const flush = (): void => {
      const reqs = batch.map((i) => built.get(i)).filter((s): s is Record<string, unknown> => s !== undefined);
      if (reqs.length === 1) steps.push(reqs[0] as Record<string, unknown>);
      if (reqs.length > 1) {
        const urls = new Map<string, number>();
        for (const r of reqs) {
          const m = Object.keys(r).find((k) => k !== 'headers');
          const id = `${m?.toUpperCase() ?? ''} ${String(r[m ?? ''])}`;
          const n = (urls.get(id) ?? 0) + 1;
          urls.set(id, n);
          if (n > 1) Object.assign(r, { name: `${id} #${n}` });
        }
        steps.push({ parallel: reqs.map((r) => (r['name'] !== undefined ? { name: r['name'], ...r } : r)) });
      }
      batch = [];
    };
    for (const i of page.items) {
      const e = (drafts[i] as Draft).entry;
      const overlaps = batch.length > 0 && batch.length < MAX_PARALLEL && e.started < batchEnd && ![...(uses.get(i) ?? [])].some((p) => batch.includes(p));
      if (!overlaps) {
        flush();
        // A pause before a page's first request falls between the pages.
        think(steps.length === 0 ? out : steps, e);
      }
      batch.push(i);
      batchEnd = Math.max(overlaps ? batchEnd : 0, end(e));
      lastEnd = Math.max(lastEnd ?? 0, end(e));
    }
    flush();
    if (page.title === undefined) out.push(...steps);
    else {
      let title = page.title.trim().slice(0, 80) || 'page';
      const n = (seenTitles.get(title) ?? 0) + 1;
      seenTitles.set(title, n);
      if (n > 1) title = `${title} #${n}`;
      out.push({ group: plain(title), steps });
    }
  }
  return out.filter((s) => !('steps' in s) || (s['steps'] as unknown[]).length > 0);
}
