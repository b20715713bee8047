/**
 * Data feeders: CSV files (relative to the scenario file, loaded at plan time so the Plan is
 * self-contained) and inline rows.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ERROR_CODES } from '../../errors.js';
import type { DataFeed } from '../plan.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';

/** CSV files larger than this are rejected (bytes): a feeder is loaded into every plan copy. */
export const MAX_CSV_BYTES = 32 * 1024 * 1024;

/** Feeders by name, in declaration order. Problems are recorded on `ctx`. */
export async function feeders(ctx: NormContext, data: Obj | undefined, scenarioFile: string): Promise<DataFeed[]> {
  const out: DataFeed[] = [];
  for (const [name, raw] of Object.entries(data ?? {})) {
    const f = raw as Obj;
    const at = ptr('/data', name);
    const order = (f.order ?? 'sequential') as DataFeed['order'];
    const onExhausted = (f.onExhausted ?? 'stop') as DataFeed['onExhausted'];
    if (Object.hasOwn(f, 'onExhausted') && order !== 'unique') {
      ctx.problem(ERROR_CODES.SEMANTIC, '`onExhausted` applies to `order: unique` only', ptr(at, 'onExhausted'), undefined, true);
    }
    const hasFile = typeof f.file === 'string';
    const hasRows = Array.isArray(f.rows);
    if (hasFile === hasRows) {
      ctx.problem(ERROR_CODES.SEMANTIC, hasFile ? 'a feeder has `file` or `rows`, not both' : 'a feeder needs `file` (a CSV) or `rows`', at);
      continue;
    }
    const declared = Array.isArray(f.columns) ? f.columns.map(String) : undefined;
    if (hasFile) {
      const file = resolve(dirname(scenarioFile), String(f.file));
      const loaded = await loadCsv(ctx, file, String(f.file), ptr(at, 'file'), declared, f.skipHeader === true, typeof f.delimiter === 'string' ? f.delimiter : ',');
      if (loaded) out.push({ name, file, columns: loaded.columns, rows: loaded.rows, order, onExhausted });
      continue;
    }
    const rows = f.rows as unknown[];
    const first = rows[0];
    let columns: string[];
    if (Array.isArray(first)) {
      if (!declared) {
        ctx.problem(ERROR_CODES.DATA_FILE, 'rows given as lists need `columns`', ptr(at, 'rows'));
        continue;
      }
      columns = declared;
    } else columns = declared ?? Object.keys(first as Obj);
    const table: string[][] = [];
    rows.forEach((row, i) => {
      const cells = Array.isArray(row) ? row.map(String) : columns.map((c) => (Object.hasOwn(row as Obj, c) ? String((row as Obj)[c]) : ''));
      if (Array.isArray(row) ? cells.length !== columns.length : Object.keys(row as Obj).some((k) => !columns.includes(k))) {
        ctx.problem(ERROR_CODES.DATA_FILE, `row ${i + 1} does not match the columns (${columns.join(', ')})`, ptr(at, 'rows', i));
      }
      table.push(cells);
    });
    out.push({ name, columns, rows: table, order, onExhausted });
  }
  return out;
}

async function loadCsv(
  ctx: NormContext,
  file: string,
  shown: string,
  at: string,
  declared: string[] | undefined,
  skipHeader: boolean,
  delimiter: string,
): Promise<{ columns: string[]; rows: string[][] } | undefined> {
  let text: string;
  try {
    const st = await stat(file);
    if (st.size > MAX_CSV_BYTES) {
      ctx.problem(ERROR_CODES.DATA_FILE, `${shown} is ${st.size} bytes; a feeder file may hold at most ${MAX_CSV_BYTES}`, at);
      return undefined;
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    ctx.problem(ERROR_CODES.DATA_FILE, code === 'ENOENT' ? `data file not found: ${shown}` : `cannot read ${shown}: ${(err as Error).message}`, at, 'paths are relative to the scenario file');
    return undefined;
  }
  // csv-parse loads only for scenarios that read a CSV file.
  const { parse } = await import('csv-parse/sync');
  let records: string[][];
  try {
    records = parse(text, { delimiter, bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (err) {
    ctx.problem(ERROR_CODES.DATA_FILE, `${shown}: ${(err as Error).message}`, at);
    return undefined;
  }
  let columns: string[];
  if (declared) {
    columns = declared;
    if (skipHeader) records = records.slice(1);
  } else {
    const header = records[0];
    if (!header || header.length === 0) {
      ctx.problem(ERROR_CODES.DATA_FILE, `${shown} is empty: it needs a header row`, at, 'or list the column names under `columns`');
      return undefined;
    }
    const bad = header.find((h) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(h));
    if (bad !== undefined) {
      ctx.problem(ERROR_CODES.DATA_FILE, `${shown} has no header row: "${bad}" is not a column name`, at, 'add a header row (e.g. `email,password`) or list the names under `columns`');
      return undefined;
    }
    if (new Set(header).size !== header.length) {
      ctx.problem(ERROR_CODES.DATA_FILE, `${shown}: the header names a column twice`, at);
      return undefined;
    }
    columns = header;
    records = records.slice(1);
  }
  if (records.length === 0) {
    ctx.problem(ERROR_CODES.DATA_FILE, `${shown} has no data rows`, at);
    return undefined;
  }
  const wrong = records.findIndex((r) => r.length !== columns.length);
  if (wrong >= 0) {
    ctx.problem(ERROR_CODES.DATA_FILE, `${shown}: row ${wrong + 1} has ${records[wrong]?.length ?? 0} fields, expected ${columns.length} (${columns.join(', ')})`, at);
    return undefined;
  }
  return { columns, rows: records };
}
