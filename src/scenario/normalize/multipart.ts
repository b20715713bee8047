/**
 * Multipart bodies: text fields are templates; file parts are read when the scenario loads. A file
 * path may be a template over one data feeder's columns (`{ file: "{{ uploads.path }}" }`, the
 * common "a CSV names the files to upload" pattern): every file the column names is read now, a
 * missing one is a problem, and each request sends the file its row names.
 */
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { ERROR_CODES } from '../../errors.js';
import type { BodyPlan, DataFeed, MultipartFile, MultipartPart, Template } from '../plan.js';
import { compileTemplate, isTemplate, renderTemplate, RenderError, templateRefs, TemplateError } from '../template/index.js';
import type { Scope } from '../template/index.js';
import { readBeside } from './beside.js';
import type { Obj } from './context.js';
import { ptr } from './context.js';
import type { VarScope } from './scope.js';
import type { StepEnv } from './steps.js';

/** mime-types (and its database), loaded by the first multipart file part. */
let mime: typeof import('mime-types') | undefined;
const mimeTypes = (): typeof import('mime-types') => (mime ??= createRequire(import.meta.url)('mime-types') as typeof import('mime-types'));

/** A multipart file part's limit: it is held in memory (and in the plan each worker receives). */
const MAX_MULTIPART_FILE_BYTES = 10 * 1024 * 1024;
/** The files one templated path may choose among, all together (bytes). */
export const MAX_MULTIPART_CHOICE_BYTES = 64 * 1024 * 1024;
/** Missing files reported per templated path; the rest are counted. */
const MAX_MISSING_REPORTED = 10;

/** `multipart: { field: value | { file, filename?, contentType? } }`: files are read now, as bytes. */
export function multipartBody(env: StepEnv, o: Obj, at: string, scope: VarScope): BodyPlan | undefined {
  const { ctx } = env;
  const parts: MultipartPart[] = [];
  // A list repeats the field: one part per item, in order (several files under one name).
  const items = Object.entries(o).flatMap(([name, v]) => (Array.isArray(v) ? v.map((x, i) => [name, x, ptr(at, name, i)] as const) : [[name, v, ptr(at, name)] as const]));
  for (const [name, v, where] of items) {
    if (v === null || typeof v !== 'object') {
      parts.push({ name, value: ctx.template(String(v), where, scope) });
      continue;
    }
    const f = v as Obj;
    const rel = String(f.file);
    if (isTemplate(rel)) {
      const choose = chooseAmong(env, f, rel, ptr(where, 'file'));
      if (choose) parts.push({ name, choose });
      continue;
    }
    const file = readPart(env, f, rel, ptr(where, 'file'));
    if (file) parts.push({ name, file });
  }
  return { kind: 'multipart', parts };
}

function readPart(env: StepEnv, f: Obj, rel: string, at: string, what = 'multipart file'): MultipartFile | undefined {
  const bytes = readBeside(env, rel, MAX_MULTIPART_FILE_BYTES, what, at);
  if (bytes === undefined) return undefined;
  const filename = typeof f.filename === 'string' ? f.filename : basename(rel);
  const contentType = typeof f.contentType === 'string' ? f.contentType : mimeTypes().lookup(rel) || 'application/octet-stream';
  return { filename, contentType, base64: bytes.toString('base64') };
}

const ONLY_DATA = 'a templated `file` path names the columns of one data feeder, e.g. `{{ uploads.path }}`: rampart reads every file the column names when the scenario loads';

/** Refused while enumerating paths: the path would not be the same for a row every time. */
class NotFromData extends Error {}

/** Renders the path for every row of the one feeder it names and reads each file it names. */
function chooseAmong(env: StepEnv, f: Obj, rel: string, at: string): { path: Template; files: Record<string, MultipartFile> } | undefined {
  const { ctx } = env;
  let path: Template;
  try {
    path = compileTemplate(rel);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    ctx.problemAt(ERROR_CODES.TEMPLATE, err.message, at, err.offset);
    return undefined;
  }
  const roots = [...templateRefs(path)];
  const feeds = roots.map((r) => env.feeds.get(r)).filter((x): x is DataFeed => x !== undefined);
  if (roots.length !== 1 || feeds.length !== 1) {
    const other = roots.find((r) => !env.feeds.has(r));
    const what = roots.length === 0 ? 'it names no data feeder' : other !== undefined ? `\`${other}\` is not a data feeder` : 'it names more than one data feeder';
    const where = other !== undefined ? Math.max(0, rel.indexOf(other, rel.indexOf('{{'))) : Math.max(0, rel.indexOf('{{'));
    ctx.problemAt(ERROR_CODES.TEMPLATE, `a multipart file path cannot be this template: ${what}`, at, where, ONLY_DATA);
    return undefined;
  }
  const feed = feeds[0] as DataFeed;
  const rows = feed.rows.map((r) => Object.fromEntries(feed.columns.map((c, i) => [c, r[i] ?? ''])));
  let current: Record<string, string> = {};
  const scope: Scope = {
    lookup: (root) => (root === feed.name ? current : undefined),
    random: () => {
      throw new NotFromData();
    },
    now: () => {
      throw new NotFromData();
    },
  };
  const files: Record<string, MultipartFile> = {};
  const missing: { path: string; row: number }[] = [];
  let total = 0;
  let failed = false;
  for (const [i, row] of rows.entries()) {
    current = row;
    let p: string;
    try {
      p = renderTemplate(path, scope);
    } catch (err) {
      if (err instanceof NotFromData) {
        ctx.problem(ERROR_CODES.TEMPLATE, 'a multipart file path cannot use random values or the time', at, ONLY_DATA);
        return undefined;
      }
      if (!(err instanceof RenderError)) throw err;
      ctx.problem(ERROR_CODES.TEMPLATE, `row ${i + 1} of \`${feed.name}\`: ${err.message}`, at, ONLY_DATA);
      return undefined;
    }
    if (Object.hasOwn(files, p) || missing.some((m) => m.path === p)) continue;
    const before = ctx.problems.length;
    const file = readPart(env, f, p, at, `multipart file (row ${i + 1} of \`${feed.name}\`)`);
    if (!file) {
      // Missing files are reported together below, at most a few: a column of wrong paths is one mistake.
      if (/ not found: /.test(ctx.problems[ctx.problems.length - 1]?.message ?? '')) {
        ctx.problems.length = before;
        missing.push({ path: p, row: i + 1 });
      } else failed = true;
      continue;
    }
    total += file.base64.length * 0.75;
    if (total > MAX_MULTIPART_CHOICE_BYTES) {
      ctx.problem(ERROR_CODES.DATA_FILE, `the files \`${feed.name}\` names for this part are larger than ${MAX_MULTIPART_CHOICE_BYTES / (1024 * 1024)} MiB together`, at, 'every file is held in memory for the run: name fewer or smaller files');
      return undefined;
    }
    Object.defineProperty(files, p, { value: file, enumerable: true, writable: false, configurable: false });
  }
  for (const m of missing.slice(0, MAX_MISSING_REPORTED)) {
    ctx.problem(ERROR_CODES.DATA_FILE, `multipart file not found: ${m.path} (named by row ${m.row} of \`${feed.name}\`)`, at, 'paths in the data are relative to the scenario file; every file a row names must exist when the scenario loads');
  }
  if (missing.length > MAX_MISSING_REPORTED) ctx.problem(ERROR_CODES.DATA_FILE, `${missing.length - MAX_MISSING_REPORTED} more files named by \`${feed.name}\` are missing`, at);
  return missing.length > 0 || failed ? undefined : { path, files };
}
