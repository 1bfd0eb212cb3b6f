/**
 * Validation of produced reports against schemas/report.schema.json (JSON Schema 2020-12). Any test
 * that produces a report can call `assertValidReport` so the schema and the model never drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { projectRoot } from '../../src/version.ts';

export const REPORT_SCHEMA_PATH = join(projectRoot(), 'schemas', 'report.schema.json');

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (validate) return validate;
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  validate = ajv.compile(JSON.parse(readFileSync(REPORT_SCHEMA_PATH, 'utf8')) as object);
  return validate;
}

export function formatSchemaErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
}

/** Errors of a report (an object or its JSON text) against the schema; empty when valid. */
export function reportSchemaErrors(report: unknown): string {
  const value =
    typeof report === 'string' ? (JSON.parse(report) as unknown) : JSON.parse(JSON.stringify(report));
  const check = validator();
  return check(value) ? '' : formatSchemaErrors(check.errors);
}

/** Throws with every schema violation when the report does not match schemas/report.schema.json. */
export function assertValidReport(report: unknown): void {
  const errors = reportSchemaErrors(report);
  if (errors) throw new Error(`report does not match schemas/report.schema.json:\n${errors}`);
}
