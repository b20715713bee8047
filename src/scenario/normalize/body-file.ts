/**
 * A `bodyFile`'s text compiled into a body, with every problem placed inside that file (its own
 * `file:line:col`, and the pointer of the `bodyFile` key that names it), not only the first.
 */
import { ERROR_CODES } from '../../errors.js';
import type { Location } from '../../errors.js';
import type { Template, TemplateValue } from '../plan.js';
import { escapePointer } from '../positions.js';
import { compileTemplate, compileTemplateValue, isTemplate, templateRefs, TemplateError } from '../template/index.js';
import type { NormContext } from './context.js';
import type { VarScope } from './scope.js';

/** At most this many template problems are reported per body file. */
const MAX_PROBLEMS = 50;

/** Maps offsets of `text` to locations in `file`, all carrying `pointer`. */
function locator(file: string, text: string, pointer: string): (offset: number) => Location {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, col: offset - (starts[lo] as number) + 1, pointer };
  };
}

/** A template's compile errors, each failing part skipped, and the parts around them that compiled (with their offsets). */
interface Compiled {
  readonly errors: { offset: number; message: string }[];
  readonly good: { offset: number; template: Template }[];
}

/** Every compile error of a template, resuming after the `}}` that closes each failing part. */
function compileAll(text: string): Compiled {
  const errors: { offset: number; message: string }[] = [];
  const good: { offset: number; template: Template }[] = [];
  let shift = 0;
  let rest = text;
  while (errors.length < MAX_PROBLEMS) {
    try {
      good.push({ offset: shift, template: compileTemplate(rest) });
      break;
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      errors.push({ offset: shift + err.offset, message: err.message });
      // What comes before the failing `{{ … }}` compiles: its variables are checked too.
      const open = rest.lastIndexOf('{{', err.offset);
      if (open > 0) {
        try {
          good.push({ offset: shift, template: compileTemplate(rest.slice(0, open)) });
        } catch (e) {
          if (!(e instanceof TemplateError)) throw e;
        }
      }
      const close = rest.indexOf('}}', err.offset);
      if (close < 0) break;
      shift += close + 2;
      rest = rest.slice(close + 2);
    }
  }
  return { errors, good };
}

/** Records the problems of a template placed by `place`; true when it compiled. */
function checkTemplate(ctx: NormContext, text: string, place: (index: number) => Location, scope: VarScope): boolean {
  const { errors, good } = compileAll(text);
  for (const e of errors) ctx.problemLoc(ERROR_CODES.TEMPLATE, e.message, place(e.offset));
  for (const g of good) ctx.checkRefsAt(templateRefs(g.template), g.template.source, (i) => place(g.offset + i), scope);
  return errors.length === 0;
}

/** A text body file as a template; undefined (with problems recorded) when it has errors. */
export function textBodyFile(ctx: NormContext, text: string, file: string, pointer: string, scope: VarScope): Template | undefined {
  return checkTemplate(ctx, text, locator(file, text, pointer), scope) ? compileTemplate(text) : undefined;
}

/** A `.json` body file as a template value; undefined (with problems recorded) when it has errors. */
export function jsonBodyFile(ctx: NormContext, text: string, file: string, pointer: string, scope: VarScope): TemplateValue | undefined {
  const at = locator(file, text, pointer);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const m = /at position (\d+)/.exec(msg);
    const offset = m ? Number(m[1]) : text.length;
    ctx.problemLoc(ERROR_CODES.DATA_FILE, `not valid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '').replace(/ of JSON input$/, '')}`, at(offset), 'a `.json` body file holds one JSON value; give `contentType` to send it as text');
    return undefined;
  }
  const strings = jsonStrings(text);
  const place = (path: string, index: number): Location => {
    const s = strings.get(path);
    return at(s === undefined ? 0 : s.verbatim ? s.offset + index : s.offset);
  };
  // Each string on its own, so that every problem shows, each at its place in the file.
  let bad = 0;
  const visit = (v: unknown, path: string, depth: number): void => {
    if (depth > 64 || bad >= MAX_PROBLEMS) return;
    if (typeof v === 'string') {
      if (isTemplate(v) && !checkTemplate(ctx, v, (i) => place(path, i), scope)) bad++;
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}/${i}`, depth + 1));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, `${path}/${escapePointer(k)}`, depth + 1);
  };
  visit(value, '', 0);
  if (bad > 0) return undefined;
  try {
    return compileTemplateValue(value);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    ctx.problemLoc(ERROR_CODES.TEMPLATE, err.message, place(err.path.map((k) => `/${escapePointer(k)}`).join(''), err.offset));
    return undefined;
  }
}

/**
 * Where each string value of a valid JSON text starts (after its quote), by JSON pointer, and
 * whether it is written verbatim (no escapes: offsets inside it map 1:1). A flat scan, no recursion.
 */
function jsonStrings(text: string): Map<string, { offset: number; verbatim: boolean }> {
  const out = new Map<string, { offset: number; verbatim: boolean }>();
  const stack: { arr: boolean; path: string; index: number; key: string; wantKey: boolean }[] = [];
  const slot = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    return top.arr ? `${top.path}/${top.index}` : `${top.path}/${escapePointer(top.key)}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i + 1, j);
      const decoded = JSON.parse(text.slice(i, j + 1)) as string;
      const top = stack[stack.length - 1];
      if (top && !top.arr && top.wantKey) {
        top.key = decoded;
        top.wantKey = false;
      } else out.set(slot(), { offset: i + 1, verbatim: raw === decoded });
      i = j;
    } else if (c === '{' || c === '[') {
      stack.push({ arr: c === '[', path: slot(), index: 0, key: '', wantKey: c === '{' });
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.arr) top.index++;
      else if (top) top.wantKey = true;
    }
  }
  return out;
}
