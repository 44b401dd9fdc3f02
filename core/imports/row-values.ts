/**
 * Helpers every import entity shares: the API's own body validation for a row, an error
 * as stored with a row, and a savepoint per row so one bad row never aborts the batch's transaction.
 */
import type { Knex } from 'knex';
import { Ajv, type ValidateFunction } from 'ajv';
import { withFormats } from '../http/validation.js';
import { PeyvandError } from '../plugin/errors.js';
import { toPeyvandError } from '../http/problem.js';
import type { RowError, RowOutcome } from '../plugin/imports.js';

const ajv = withFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: false, allErrors: false, strict: false }));

/** A validator of a route's body schema, answering the API's own 400 as a row error. */
export function bodyValidator(schema: Record<string, unknown>): (value: unknown) => RowError | undefined {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => (validate(value) ? undefined : rowError(toPeyvandError({ validation: validate.errors, validationContext: 'body' })));
}

/** A coded error as an import stores it with the row. */
export function rowError(err: PeyvandError): RowError {
  return { code: err.code, i18nKey: err.i18nKey, params: err.params, errors: err.errors ?? [] };
}

/**
 * Runs one row's write in a savepoint: a coded failure rolls back that row only (on
 * PostgreSQL a failed statement would otherwise poison the whole transaction) and becomes
 * its outcome; anything else fails the batch.
 */
export async function inSavepoint(trx: Knex.Transaction, work: (sp: Knex.Transaction) => Promise<RowOutcome>): Promise<RowOutcome> {
  try {
    return await trx.transaction(work);
  } catch (err) {
    if (err instanceof PeyvandError) return { status: 'invalid', error: rowError(err) };
    throw err;
  }
}
