/** Validation of SARIF logs against the official SARIF 2.1.0 schema (test/fixtures/sarif, draft-07). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { projectRoot } from '../../src/version.ts';
import { formatSchemaErrors } from './report-schema.ts';

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (validate) return validate;
  // The official schema is not written for ajv's strict mode (e.g. `format` next to `$ref`).
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  validate = ajv.compile(
    JSON.parse(
      readFileSync(join(projectRoot(), 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'),
    ) as object,
  );
  return validate;
}

/** Throws with every violation when `log` (an object or its JSON text) is not a valid SARIF 2.1.0 log. */
export function assertValidSarif(log: unknown): void {
  const value = typeof log === 'string' ? (JSON.parse(log) as unknown) : log;
  const check = validator();
  if (!check(value)) throw new Error(`not a valid SARIF 2.1.0 log:\n${formatSchemaErrors(check.errors)}`);
}
