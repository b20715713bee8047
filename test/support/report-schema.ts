/** Validation of generated reports against schemas/report.schema.json (ajv, draft 2020-12). */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const reportSchema = JSON.parse(readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')) as object;

/** Validates a parsed report against schemas/report.schema.json; returns the errors (empty when valid). */
let compiled: ReturnType<Ajv2020['compile']> | undefined;

export function validateReport(report: unknown): string[] {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    compiled = ajv.compile(reportSchema);
  }
  const validate = compiled;
  return validate(report) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
