// The one rule for "the validator was made from this schema": scripts/gen-validator.mjs writes it into the
// generated validator, scripts/bundle.mjs checks it at build time, src/spec/schema.ts at start (a source
// checkout). The scripts import this file as built (dist/src/spec/schema-hash.js).
import { digest } from '../builtin.js';

/** sha256 of the schema as JSON.stringify writes the parsed file. */
export const schemaHashOf = (schema: unknown): string => digest('sha256', JSON.stringify(schema), 'hex');
