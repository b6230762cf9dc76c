// SARIF 2.1.0 validation against the official OASIS schema (sarif-schema-2.1.0.json beside this
// file, vendored byte for byte: see SARIF-SCHEMA.md) with a real JSON Schema validator. The schema
// is draft-07, Ajv's default dialect; ajv-formats checks the `uri`, `uri-reference` and `date-time`
// formats the schema uses (without it Ajv would refuse the schema in strict mode).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const SARIF_SCHEMA_FILE = join(import.meta.dirname, 'sarif-schema-2.1.0.json');
const schema = JSON.parse(readFileSync(SARIF_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;

// Ajv's default strictness (unknown keywords and formats are errors), less the strictTypes
// warnings: the official schema has `enum` without `type` in places, which is valid draft-07.
const ajv = new Ajv({ allErrors: true, strictTypes: false });
addFormats(ajv);
const check = ajv.compile(schema);

/** Validation errors, one line each: `JSON pointer: message (details)`; empty when the log is valid. */
export function validateSarif(log: unknown): string[] {
  if (check(log)) return [];
  return (check.errors ?? []).map(describe);
}

function describe(e: ErrorObject): string {
  const where = e.instancePath === '' ? '/' : e.instancePath;
  const params = Object.entries(e.params)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${where}: ${e.message ?? e.keyword}${params ? ` (${params})` : ''}`;
}
