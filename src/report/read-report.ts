/**
 * Reading a JSON report back (`rampart report`, `rampart compare`, `rampart run --baseline`): parsed
 * and validated against schemas/report.schema.json, so every renderer and the comparison only ever
 * see a well-formed Report.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { UsageError } from '../errors.js';
import type { Report } from './model.js';

const CANDIDATES = ['../../schemas/report.schema.json', '../../../schemas/report.schema.json'];

/** Compiles schemas/report.schema.json (draft 2020-12, all errors, formats checked). */
export function compileReportSchema(): ValidateFunction {
  let schema: object | undefined;
  for (const rel of CANDIDATES) {
    try {
      schema = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as object;
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  if (schema === undefined) throw new Error('schemas/report.schema.json not found next to the rampart sources');
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv.compile(schema);
}

/** How many schema errors a message lists before "and N more". */
const SHOWN_ERRORS = 5;

/**
 * Checks that `value` is a rampart report.
 * @param what names the input in messages (a path).
 * @throws UsageError listing the first schema errors (JSON pointer and message).
 */
export function asReport(value: unknown, what: string, validate: ValidateFunction = compileReportSchema()): Report {
  if (validate(value)) return value as unknown as Report;
  const errors = (validate.errors ?? []).map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}`);
  const shown = errors.slice(0, SHOWN_ERRORS).join('; ');
  const more = errors.length > SHOWN_ERRORS ? `; and ${errors.length - SHOWN_ERRORS} more` : '';
  throw new UsageError(`${what} is not a rampart report (schemas/report.schema.json): ${shown}${more}`);
}

/**
 * Reads and validates a JSON report file.
 * @throws UsageError when the file cannot be read, is not JSON, or is not a rampart report.
 */
export async function readReport(path: string, validate?: ValidateFunction): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path} is not JSON: ${(err as Error).message}`);
  }
  return asReport(value, path, validate);
}
